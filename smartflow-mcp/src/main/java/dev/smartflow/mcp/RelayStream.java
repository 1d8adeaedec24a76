package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Cancellation;

/**
 * The SSE answer to a request whose client asked to hear how it goes: the upstream's progress and log notifications
 * as they come, then the response, then the end. The call runs on its own thread and {@linkplain #tell tells} this
 * stream; the HTTP writer reads it. A client that hangs up closes it, which cancels the call.
 *
 * <p>Notifications are bounded ({@link #MAX_QUEUED}): a client that does not read drops notifications, never the
 * response.
 */
final class RelayStream extends QueuedChunkStream {
    static final int MAX_QUEUED = 256;

    private final Cancellation cancellation;
    private volatile boolean finished;

    RelayStream(Cancellation cancellation) {
        this.cancellation = cancellation;
    }

    /** A notification for the client; dropped once the response went out or too many wait. */
    void tell(ObjectNode notification) {
        if (!finished) {
            offer(notification, MAX_QUEUED);
        }
    }

    /** The response, the stream's last event. */
    void finish(ObjectNode response) {
        finished = true;
        offer(response, Integer.MAX_VALUE);
        end();
    }

    /** A client that hangs up before the response cancels the call. */
    @Override
    void onClose() {
        if (!finished) {
            cancellation.cancel();
        }
    }
}
