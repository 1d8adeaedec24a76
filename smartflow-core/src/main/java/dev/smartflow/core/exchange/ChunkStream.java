package dev.smartflow.core.exchange;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The chunks of a streamed answer, read as they arrive. {@link #hasNext()} blocks until the next chunk or the end,
 * which is cheap on a virtual thread. A failure of the upstream mid-stream is thrown from {@code hasNext()} or
 * {@code next()} as a {@link dev.smartflow.core.error.SmartflowException}.
 *
 * <p>Whoever holds a stream and does not read it to the end closes it; closing releases the upstream connection.
 * Not thread-safe: one reader.
 */
public interface ChunkStream extends Iterator<Chunk>, AutoCloseable {
    @Override
    void close();

    /**
     * Passes {@code stream} through chunk by chunk and tells {@code onEnd}, once, how it ended: at its last
     * {@code hasNext()}, on a read that throws, or on {@code close()}, whichever comes first. For stages that act when
     * a stream is over (settle spend, write the audit record) without buffering it. {@code onEnd} runs on the reading
     * thread.
     */
    static ChunkStream onEnd(ChunkStream stream, Consumer<StreamEnd> onEnd) {
        return new WatchedChunkStream(Objects.requireNonNull(stream, "stream"), Objects.requireNonNull(onEnd, "onEnd"));
    }

    /** A stream over chunks already in memory, e.g. for tests or a cached answer. */
    static ChunkStream of(List<Chunk> chunks) {
        List<Chunk> copy = List.copyOf(chunks);
        return new ChunkStream() {
            private int next;
            private boolean closed;

            @Override
            public boolean hasNext() {
                return !closed && next < copy.size();
            }

            @Override
            public Chunk next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return copy.get(next++);
            }

            @Override
            public void close() {
                closed = true;
            }
        };
    }
}
