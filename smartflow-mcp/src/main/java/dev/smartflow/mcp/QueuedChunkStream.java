package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A stream of JSON-RPC messages that other threads feed and the HTTP writer reads, blocking until the next one comes:
 * messages are queued as they come, then the end. Closing it (the client hung up, or the end was read) runs
 * {@link #onClose} once.
 */
abstract class QueuedChunkStream implements ChunkStream {
    private static final Chunk END = Chunk.data(Body.EMPTY);

    private final LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    private Chunk next;
    private volatile boolean closed;

    /** Queues {@code message} unless the stream is closed or {@code bound} messages already wait. */
    final void offer(ObjectNode message, int bound) {
        if (!closed && queue.size() < bound) {
            queue.add(Chunk.data(Body.of(message)));
        }
    }

    /** How many messages wait for the reader. */
    final int waiting() {
        return queue.size();
    }

    /** No more messages: the reader ends after those queued. */
    final void end() {
        queue.add(END);
    }

    /** Runs once, when the stream closes. */
    abstract void onClose();

    @Override
    public final boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (closed) {
            return false;
        }
        try {
            Chunk taken = queue.take();
            if (taken == END) {
                close();
                return false;
            }
            next = taken;
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            return false;
        }
    }

    @Override
    public final Chunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Chunk chunk = next;
        next = null;
        return chunk;
    }

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            queue.add(END);
            onClose();
        }
    }
}
