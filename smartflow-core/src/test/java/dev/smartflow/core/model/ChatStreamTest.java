package dev.smartflow.core.model;

import static dev.smartflow.core.testing.Json.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.testing.Json;
import dev.smartflow.core.testing.RecordingChunkStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatStreamTest {
    private final RecordingChunkStream chunks =
            new RecordingChunkStream(List.of(Json.delta("Hel"), Json.delta("lo"), Chunk.data(body("{'choices':[]}"))));
    private final ChatStream stream = ChatStream.from(new Response.Streamed(200, Headers.of("x-a", "1"), chunks));

    @Test
    void iteratesTheChunksAsJson() {
        // given
        List<String> deltas = new ArrayList<>();

        // when
        for (JsonNode chunk : stream) {
            deltas.add(ChatStream.delta(chunk));
        }

        // then
        assertEquals(List.of("Hel", "lo", ""), deltas);
    }

    @Test
    void textJoinsTheDeltas() {
        // when / then
        assertEquals("Hello", stream.text());
    }

    @Test
    void streamCanBeReadOnce() {
        // given
        stream.text();

        // when / then
        assertThrows(IllegalStateException.class, stream::iterator);
    }

    @Test
    void closeClosesTheUnderlyingChunks() {
        // when
        stream.close();

        // then
        assertTrue(chunks.closed());
    }

    @Test
    void deltaReadsTheTextOfACompletionsChunk() {
        // when / then
        assertEquals("abc", ChatStream.delta(body("{'choices':[{'text':'abc'}]}").json()));
    }

    @Test
    void headersAreThoseOfTheResponse() {
        // when / then
        assertEquals("1", stream.headers().get("x-a").orElseThrow());
    }
}
