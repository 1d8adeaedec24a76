package dev.smartflow.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class ChunkStreamTest {
    private final Chunk first = Chunk.data(Body.json("{\"n\":1}"));
    private final Chunk second = Chunk.data(Body.json("{\"n\":2}"));

    @Test
    void ofYieldsTheChunksInOrder() {
        // given
        ChunkStream stream = ChunkStream.of(List.of(first, second));
        List<Chunk> read = new ArrayList<>();

        // when
        stream.forEachRemaining(read::add);

        // then
        assertEquals(List.of(first, second), read);
    }

    @Test
    void closedStreamHasNoMoreChunks() {
        // given
        ChunkStream stream = ChunkStream.of(List.of(first, second));

        // when
        stream.close();

        // then
        assertFalse(stream.hasNext());
        assertThrows(NoSuchElementException.class, stream::next);
    }

    @Test
    void dataChunkHasTheDefaultEventName() {
        // when / then
        assertEquals("", first.event());
    }
}
