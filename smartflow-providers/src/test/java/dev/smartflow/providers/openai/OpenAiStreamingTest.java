package dev.smartflow.providers.openai;

import static dev.smartflow.providers.openai.OpenAiProviderTest.chat;
import static dev.smartflow.providers.openai.OpenAiProviderTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.providers.ProviderSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Streamed answers: chunk framing, order, ends normal and broken, and the stream deadlines. */
@Timeout(20)
final class OpenAiStreamingTest {
    private static final String KEY = Fixtures.KEY;
    private static final String STREAM_BODY =
            "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}";

    @StartStop
    private final MockWebServer server = new MockWebServer();
    private ProviderRegistry registry;

    @AfterEach
    void closeRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void streamYieldsEveryChunkInOrderAndStopsAtDone() throws Exception {
        String transcript = Fixtures.text("chat-stream.sse");
        server.enqueue(sse(transcript).build());

        Response.Streamed streamed = assertInstanceOf(Response.Streamed.class,
                openAi().call(chat(STREAM_BODY), "gpt-4o-mini"));
        List<Chunk> chunks;
        try (ChunkStream stream = streamed.chunks()) {
            chunks = Fixtures.readAll(stream);
        }

        assertEquals(200, streamed.status());
        assertEquals("text/event-stream", streamed.headers().get("content-type").orElseThrow());
        List<String> expected = Fixtures.dataOf(transcript);
        assertEquals("[DONE]", expected.getLast(), "the fixture ends like OpenAI's streams");
        assertEquals(expected.subList(0, expected.size() - 1), Fixtures.dataOf(chunks));
        assertTrue(chunks.stream().allMatch(c -> c.event().isEmpty()));
        RecordedRequest sent = server.takeRequest();
        assertEquals("text/event-stream", sent.getHeaders().get("Accept"));
        assertEquals(STREAM_BODY, sent.getBody().utf8());
    }

    @Test
    void streamReadToTheEndLeavesItsConnectionForTheNextCall() throws Exception {
        server.enqueue(sse(Fixtures.text("chat-stream.sse")).build());
        server.enqueue(json(200, Fixtures.text("chat-completion.json")));
        Provider openAi = openAi();

        try (ChunkStream stream = ((Response.Streamed) openAi.call(chat(STREAM_BODY), "gpt-4o-mini")).chunks()) {
            Fixtures.readAll(stream);
        }
        openAi.call(chat("{\"model\":\"gpt-4o-mini\",\"messages\":[]}"), "gpt-4o-mini");

        RecordedRequest first = server.takeRequest();
        RecordedRequest second = server.takeRequest();
        assertEquals(first.getConnectionIndex(), second.getConnectionIndex());
        assertEquals(1, second.getExchangeIndex());
    }

    @Test
    void eventNamesAreKeptAndCommentsAndCrlfLineEndsAreHandled() {
        server.enqueue(sse(": OPENROUTER PROCESSING\r\n\r\n"
                + "event: message\r\n"
                + "data: {\"id\":\"a\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},"
                + "\"finish_reason\":null}]}\r\n"
                + "\r\n"
                + "id: 7\r\n"
                + "data: {\"id\":\"a\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\r\n"
                + "\r\n"
                + "data: [DONE]\r\n\r\n").build());

        List<Chunk> chunks = Fixtures.readAll(((Response.Streamed) openAi().call(chat(STREAM_BODY), "gpt-4o-mini"))
                .chunks());

        assertEquals(List.of("message", ""), chunks.stream().map(Chunk::event).toList());
        assertEquals("Hi", chunks.getFirst().data().json().path("choices").path(0).path("delta").path("content")
                .asText());
        assertEquals("stop", chunks.get(1).data().json().path("choices").path(0).path("finish_reason").asText());
    }

    @Test
    void firstChunkReachesTheReaderBeforeTheUpstreamSendsTheRest() throws Exception {
        String transcript = Fixtures.text("chat-stream.sse");
        int firstEventEnd = transcript.indexOf("\n\n") + 2;
        GatedBody body = new GatedBody(transcript.substring(0, firstEventEnd), transcript.substring(firstEventEnd));
        server.enqueue(new MockResponse.Builder()
                .setHeader("Content-Type", "text/event-stream")
                .body(body)
                .throttleBody(256, 1, TimeUnit.MILLISECONDS)
                .build());

        try (ChunkStream stream = ((Response.Streamed) openAi().call(chat(STREAM_BODY), "gpt-4o-mini")).chunks()) {
            assertTrue(stream.hasNext());
            Chunk first = stream.next();
            assertEquals(1, body.restSent.getCount(), "nothing but the first event was sent yet");
            body.release.countDown();
            List<Chunk> rest = Fixtures.readAll(stream);

            List<String> expected = Fixtures.dataOf(transcript);
            assertEquals(expected.getFirst(), first.data().utf8());
            assertEquals(expected.subList(1, expected.size() - 1), Fixtures.dataOf(rest));
        } finally {
            body.release.countDown();
        }
    }

    @Test
    void toolCallArgumentDeltasPassThroughUnchanged() {
        String transcript = Fixtures.text("tool-call-stream.sse");
        // Seven bytes at a time: lines, and the CR/LF of line ends, arrive split across reads.
        server.enqueue(sse(transcript).throttleBody(7, 1, TimeUnit.MICROSECONDS).build());

        List<Chunk> chunks = Fixtures.readAll(((Response.Streamed) openAi().call(chat(STREAM_BODY), "gpt-4o-mini"))
                .chunks());

        List<String> expected = Fixtures.dataOf(transcript);
        assertEquals(expected.subList(0, expected.size() - 1), Fixtures.dataOf(chunks));
        StringBuilder arguments = new StringBuilder();
        for (Chunk chunk : chunks) {
            for (JsonNode call : chunk.data().json().path("choices").path(0).path("delta").path("tool_calls")) {
                arguments.append(call.path("function").path("arguments").asText());
            }
        }
        assertEquals("{\"location\":\"Paris, France\",\"unit\":\"celsius\"}", arguments.toString());
    }

    @Test
    void jsonAnswerToAStreamRequestIsAComplete() {
        String answer = Fixtures.text("chat-completion.json");
        server.enqueue(json(200, answer));

        Response response = openAi().call(chat(STREAM_BODY), "gpt-4o-mini");

        assertEquals(answer, assertInstanceOf(Response.Complete.class, response).body().utf8());
    }

    @Test
    void errorStatusToAStreamRequestFailsBeforeAnyChunk() {
        server.enqueue(json(429, Fixtures.text("error-429.json")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> openAi().call(chat(STREAM_BODY), "gpt-4o-mini"));

        assertEquals(429, failure.status());
        assertTrue(failure.retryable());
    }

    @Test
    void errorEventMidStreamIsThrownAfterTheChunksBeforeIt() {
        List<String> data = Fixtures.dataOf(Fixtures.text("chat-stream.sse"));
        server.enqueue(sse("data: " + data.get(0) + "\n\ndata: " + data.get(1) + "\n\n"
                + "data: {\"error\":{\"message\":\"The server had an error while processing your request.\","
                + "\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n").build());

        ChunkStream stream = ((Response.Streamed) openAi().call(chat(STREAM_BODY), "gpt-4o-mini")).chunks();
        List<Chunk> before = new ArrayList<>();
        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> {
            while (stream.hasNext()) {
                before.add(stream.next());
            }
        });

        assertEquals(data.subList(0, 2), Fixtures.dataOf(before));
        assertEquals(502, failure.status());
        assertTrue(failure.getMessage().contains("The server had an error"), failure.getMessage());
        assertFalse(stream.hasNext(), "a failed stream stays ended");
    }

    @Test
    void chunksThatAreNotAJsonObjectEndTheStreamWithAFailureAfterTheChunksBeforeThem() {
        List<String> data = Fixtures.dataOf(Fixtures.text("chat-stream.sse"));
        for (String garbage : List.of("not-json", "{\"id\":\"chatcmpl-1\",\"choices\":[", "[1,2]", "{} {}")) {
            server.enqueue(sse("data: " + data.get(0) + "\n\ndata: " + garbage + "\n\ndata: " + data.get(1)
                    + "\n\ndata: [DONE]\n\n").build());

            ChunkStream stream = ((Response.Streamed) openAi().call(chat(STREAM_BODY), "gpt-4o-mini")).chunks();
            List<Chunk> before = new ArrayList<>();
            UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> {
                while (stream.hasNext()) {
                    before.add(stream.next());
                }
            }, garbage);

            assertEquals(data.subList(0, 1), Fixtures.dataOf(before), garbage);
            assertEquals(502, failure.status());
            assertTrue(failure.getMessage().contains("not a JSON object"), failure.getMessage());
            assertFalse(failure.getMessage().contains(garbage), "the chunk's text is not quoted");
        }
    }

    @Test
    void streamWithoutDoneEndsNormallyWhenTheLastChoiceFinished() {
        String transcript = Fixtures.text("chat-stream.sse").replace("data: [DONE]\n\n", "");
        server.enqueue(sse(transcript).build());

        List<Chunk> chunks = Fixtures.readAll(((Response.Streamed) openAi().call(chat(STREAM_BODY), "gpt-4o-mini"))
                .chunks());

        assertEquals(Fixtures.dataOf(transcript), Fixtures.dataOf(chunks));
    }

    @Test
    void streamThatStopsBeforeAnyFinishReasonEndedEarly() {
        List<String> data = Fixtures.dataOf(Fixtures.text("chat-stream.sse"));
        server.enqueue(sse("data: " + data.get(0) + "\n\ndata: " + data.get(1) + "\n\n").build());

        ChunkStream stream = ((Response.Streamed) openAi().call(chat(STREAM_BODY), "gpt-4o-mini")).chunks();
        List<Chunk> before = new ArrayList<>();
        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> {
            while (stream.hasNext()) {
                before.add(stream.next());
            }
        });

        assertEquals(2, before.size());
        assertEquals(502, failure.status());
        assertTrue(failure.getMessage().contains("stream ended early"), failure.getMessage());
    }

    @Test
    void connectionDroppedMidStreamIsAnUpstreamFailure() {
        String transcript = Fixtures.text("chat-stream.sse");
        server.enqueue(new MockResponse.Builder()
                .setHeader("Content-Type", "text/event-stream")
                .body(transcript)
                .onResponseBody(new SocketEffect.CloseSocket(true, false, false))
                .build());

        ChunkStream stream = ((Response.Streamed) openAi().call(chat(STREAM_BODY), "gpt-4o-mini")).chunks();
        List<Chunk> before = new ArrayList<>();
        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> {
            while (stream.hasNext()) {
                before.add(stream.next());
            }
        });

        assertTrue(before.size() < Fixtures.dataOf(transcript).size() - 1, "the socket closed halfway");
        assertEquals(502, failure.status());
        assertEquals("upstream_unavailable", failure.code().orElseThrow());
        assertTrue(failure.retryable());
    }

    @Test
    void streamSilentForLongerThanItsIdleTimeoutFailsWith504() {
        server.enqueue(new MockResponse.Builder()
                .setHeader("Content-Type", "text/event-stream")
                .body(Fixtures.text("chat-stream.sse"))
                .onResponseBody(SocketEffect.Stall.INSTANCE)
                .build());
        Provider openAi = openAi(ProviderSettings.of("openai").withStreamIdleTimeout(Duration.ofMillis(300)));

        ChunkStream stream = ((Response.Streamed) openAi.call(chat(STREAM_BODY), "gpt-4o-mini")).chunks();
        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> {
            while (stream.hasNext()) {
                stream.next();
            }
        });

        assertEquals(504, failure.status());
        assertEquals("upstream_timeout", failure.code().orElseThrow());
    }

    @Test
    void streamClosedEarlyEndsQuietlyWhileTheUpstreamStillHoldsTheRest() {
        String transcript = Fixtures.text("chat-stream.sse");
        int firstEventEnd = transcript.indexOf("\n\n") + 2;
        GatedBody body = new GatedBody(transcript.substring(0, firstEventEnd), transcript.substring(firstEventEnd));
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(body).build());

        try {
            ChunkStream stream = ((Response.Streamed) openAi().call(chat(STREAM_BODY), "gpt-4o-mini")).chunks();
            assertTrue(stream.hasNext());
            stream.next();
            stream.close();

            assertFalse(stream.hasNext());
        } finally {
            body.release.countDown();
        }
    }

    private Provider openAi() {
        return openAi(ProviderSettings.of("openai"));
    }

    private Provider openAi(ProviderSettings settings) {
        registry = Fixtures.registry(server, settings);
        return registry.provider("openai").orElseThrow();
    }

    /** A chunked event stream, as OpenAI sends it. */
    private static MockResponse.Builder sse(String transcript) {
        return new MockResponse.Builder()
                .setHeader("Content-Type", "text/event-stream; charset=utf-8")
                .chunkedBody(transcript, 512);
    }
}
