package dev.smartflow.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResponseTest {
    @Test
    void withHeaderOnACompleteResponseKeepsStatusAndBody() {
        // given
        Response.Complete response = new Response.Complete(201, Headers.EMPTY, Body.json("{}"));

        // when
        Response.Complete tagged = response.withHeader("x-a", "1");

        // then
        assertEquals(Optional.of("1"), tagged.headers().get("x-a"));
        assertEquals(201, tagged.status());
        assertSame(response.body(), tagged.body());
        assertEquals(0, response.headers().size());
    }

    @Test
    void withHeaderOnAStreamedResponseKeepsTheSameChunks() {
        // given
        ChunkStream chunks = ChunkStream.of(List.of());
        Response.Streamed response = new Response.Streamed(200, Headers.EMPTY, chunks);

        // when
        Response.Streamed tagged = response.withHeader("x-a", "1");

        // then
        assertEquals(Optional.of("1"), tagged.headers().get("x-a"));
        assertSame(chunks, tagged.chunks());
    }

    @Test
    void statusOutOfRangeIsRejected() {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> new Response.Complete(600, Headers.EMPTY, Body.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> new Response.Complete(99, Headers.EMPTY, Body.EMPTY));
    }
}
