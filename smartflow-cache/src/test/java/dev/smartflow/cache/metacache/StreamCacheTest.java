package dev.smartflow.cache.metacache;

import static dev.smartflow.cache.metacache.Harness.APP_A;
import static dev.smartflow.cache.metacache.Harness.chat;
import static dev.smartflow.cache.metacache.Harness.chunks;
import static dev.smartflow.cache.metacache.Harness.content;
import static dev.smartflow.cache.metacache.Harness.header;
import static dev.smartflow.cache.metacache.Harness.streamedText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.model.ChatRequest;
import dev.smartflow.core.model.ChatStream;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Streams: stored once read to their end, replayed as the provider's own chunks or events. */
class StreamCacheTest {
    private Harness harness;

    @BeforeEach
    void start() throws Exception {
        harness = new Harness(CacheSettings.DEFAULTS);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void aStreamedAnswerIsStoredOnceCompleteAndServesAPlainRequest() {
        Response streamed = harness.call(chat("Count to three.", o -> o.put("stream", true)));
        assertEquals("false", header(streamed, CacheStage.HIT));
        assertEquals("answer to: Count to three.", streamedText(chunks(streamed)));

        Response plain = harness.call(chat("Count to three."));

        assertEquals("true", header(plain, CacheStage.HIT));
        assertEquals("answer to: Count to three.", content(plain));
        JsonNode usage = ((Response.Complete) plain).body().json().path("usage");
        assertEquals(20, usage.path("prompt_tokens").asInt(), "usage from the cost meter, the caller saw none");
        assertEquals(1, harness.upstream.calls.get());
    }

    @Test
    void aHitOnAStreamedRequestIsReplayedAsChunks() {
        harness.call(chat("Name three colours."));

        List<Chunk> replay = chunks(harness.call(chat("Name three colours.", o -> o.put("stream", true))));

        assertEquals("answer to: Name three colours.", streamedText(replay));
        for (Chunk chunk : replay) {
            assertEquals("chat.completion.chunk", chunk.data().json().path("object").asText());
        }
        JsonNode last = replay.getLast().data().json();
        assertEquals("stop", last.path("choices").path(0).path("finish_reason").asText());
        assertEquals("assistant", replay.getFirst().data().json().path("choices").path(0).path("delta")
                .path("role").asText());
        assertTrue(replay.stream().noneMatch(c -> c.data().json().has("usage")), "usage only when asked");
    }

    @Test
    void aReplayIncludesTheUsageChunkWhenAsked() {
        harness.call(chat("Name three colours."));

        List<Chunk> replay = chunks(harness.call(chat("Name three colours.", o -> {
            o.put("stream", true).putObject("stream_options").put("include_usage", true);
            return o;
        })));

        JsonNode last = replay.getLast().data().json();
        assertEquals(0, last.path("choices").size());
        assertEquals(30, last.path("usage").path("total_tokens").asInt());
    }

    @Test
    void aStreamClosedBeforeItsEndIsNotStored() {
        Response streamed = harness.call(chat("Tell me a long story.", o -> o.put("stream", true)));
        try (ChunkStream chunks = ((Response.Streamed) streamed).chunks()) {
            chunks.next();
        }

        Response again = harness.call(chat("Tell me a long story."));

        assertEquals("false", header(again, CacheStage.HIT));
        assertEquals(2, harness.upstream.calls.get());
    }

    @Test
    void theInProcessStreamApiReplaysAHit() {
        harness.smartflow.chat(ChatRequest.of("gpt-4o-mini", "Say hello"));

        try (ChatStream stream = harness.smartflow.chatStream(ChatRequest.of("gpt-4o-mini", "Say hello"))) {
            assertEquals("true", stream.headers().get(CacheStage.HIT).orElseThrow());
            assertEquals("answer to: Say hello", stream.text());
        }
        assertEquals(1, harness.upstream.calls.get());
    }

    @Test
    void anthropicMessagesAreCachedAndReplayedAsAnthropicEvents() {
        Response first = harness.call(Operation.ANTHROPIC_MESSAGES, APP_A, Harness.messages("Hi Claude", true));
        List<Chunk> original = chunks(first);
        assertEquals("message_stop", original.getLast().event());

        Response plain = harness.call(Operation.ANTHROPIC_MESSAGES, APP_A, Harness.messages("Hi Claude", false));
        List<Chunk> replay = chunks(harness.call(Operation.ANTHROPIC_MESSAGES, APP_A,
                Harness.messages("Hi Claude", true)));

        assertEquals("true", header(plain, CacheStage.HIT));
        JsonNode message = ((Response.Complete) plain).body().json();
        assertEquals("answer to: Hi Claude", message.path("content").path(0).path("text").asText());
        assertEquals("end_turn", message.path("stop_reason").asText());
        assertEquals(List.of("message_start", "content_block_start", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop"), replay.stream().map(Chunk::event).toList());
        StringBuilder text = new StringBuilder();
        replay.forEach(c -> text.append(c.data().json().path("delta").path("text").asText("")));
        assertEquals("answer to: Hi Claude", text.toString());
        assertEquals(1, harness.upstream.calls.get());
    }

    @Test
    void chatAndAnthropicAnswersNeverServeEachOther() {
        harness.call(chat("Shared words"));

        Response anthropic = harness.call(Operation.ANTHROPIC_MESSAGES, APP_A, Harness.messages("Shared words",
                false));

        assertEquals("false", header(anthropic, CacheStage.HIT));
    }
}
