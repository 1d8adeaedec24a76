package dev.smartflow.core.testing;

import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import java.util.Queue;

/**
 * A {@link ChunkStream} the test feeds by hand, as an upstream would, one chunk at a time. A real stream would block
 * when asked for a chunk that has not arrived; this one fails instead, so a wrapper that reads ahead (buffers) is
 * caught in the act. Single-threaded.
 */
public final class FedChunkStream implements ChunkStream {
    private final Queue<Chunk> arrived = new ArrayDeque<>();
    private boolean ended;
    private boolean closed;

    public FedChunkStream feed(Chunk chunk) {
        arrived.add(chunk);
        return this;
    }

    /** The upstream finished: no more chunks. */
    public FedChunkStream end() {
        ended = true;
        return this;
    }

    @Override
    public boolean hasNext() {
        if (!arrived.isEmpty()) {
            return true;
        }
        if (ended || closed) {
            return false;
        }
        throw new AssertionError("read ahead: asked for a chunk the upstream has not sent yet");
    }

    @Override
    public Chunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return arrived.remove();
    }

    @Override
    public void close() {
        closed = true;
    }

    public boolean closed() {
        return closed;
    }
}
