package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The SSE answer to a request whose client asked to hear how it goes: the upstream's progress and log notifications
 * as they come, then the response, then the end. The call runs on its own thread and {@linkplain #tell tells} this
 * stream; the HTTP writer reads it. A client that hangs up closes it, which cancels the call.
 *
 * <p>Notifications are bounded ({@link #MAX_QUEUED}): a client that does not read drops notifications, never the
 * response.
 */
final class RelayStream implements ChunkStream {
    static final int MAX_QUEUED = 256;
    private static final Chunk END = Chunk.data(Body.EMPTY);

    private final LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    private final Cancellation cancellation;
    private Chunk next;
    private volatile boolean closed;
    private volatile boolean finished;

    RelayStream(Cancellation cancellation) {
        this.cancellation = cancellation;
    }

    /** A notification for the client; dropped once the response went out or too many wait. */
    void tell(ObjectNode notification) {
        if (!finished && !closed && queue.size() < MAX_QUEUED) {
            queue.add(Chunk.data(Body.of(notification)));
        }
    }

    /** The response, the stream's last event. */
    void finish(ObjectNode response) {
        finished = true;
        queue.add(Chunk.data(Body.of(response)));
        queue.add(END);
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (closed) {
            return false;
        }
        try {
            Chunk taken = queue.take();
            if (taken == END) {
                closed = true;
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
    public Chunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Chunk chunk = next;
        next = null;
        return chunk;
    }

    @Override
    public void close() {
        boolean early = !finished;
        closed = true;
        queue.add(END);
        if (early) {
            cancellation.cancel();
        }
    }
}
