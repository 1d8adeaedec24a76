package dev.smartflow.providers.sse;

import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import java.util.ArrayDeque;
import java.util.NoSuchElementException;

/**
 * A chunk stream fed by an upstream one event at a time: {@link #hasNext()} pulls upstream events until one of them
 * yields a chunk or the stream ends, so an event may yield none, one or several chunks. A subclass implements only
 * {@link #pull()} (read the next upstream event and {@link #enqueue} what it becomes, or {@link #endStream()}) and
 * {@link #closeUpstream()}.
 *
 * <p>Chunks already enqueued are still handed out after the end or a {@link #close()}; nothing is pulled after
 * either. A failure thrown by {@link #pull()} reaches the caller of {@link #hasNext()} or {@link #next()}.
 *
 * <p>Public only so that every protocol package of this module can build its streams on it; not an API. Not
 * thread-safe: one reader.
 */
public abstract class UpstreamChunkStream implements ChunkStream {
    private final ArrayDeque<Chunk> ready = new ArrayDeque<>(4);
    private boolean ended;

    protected UpstreamChunkStream() {
    }

    /**
     * Reads the next upstream event and enqueues the chunks it becomes, if any; at the upstream's end, calls
     * {@link #endStream()} (after enqueuing any closing chunks). Called only while nothing is ready and the stream has
     * not ended.
     */
    protected abstract void pull();

    /** Releases the upstream; called by {@link #close()}, possibly more than once. */
    protected abstract void closeUpstream();

    /** Adds a chunk for the reader. */
    protected final void enqueue(Chunk chunk) {
        ready.add(chunk);
    }

    /** Marks the end: once the ready chunks are read, the stream has no more. */
    protected final void endStream() {
        ended = true;
    }

    @Override
    public final boolean hasNext() {
        while (ready.isEmpty() && !ended) {
            pull();
        }
        return !ready.isEmpty();
    }

    @Override
    public final Chunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.poll();
    }

    @Override
    public final void close() {
        ended = true;
        closeUpstream();
    }
}
