package dev.smartflow.server.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Reads and discards what is left of a request's body once its answer is sent, so that an answer given before the
 * body was read (a 401 on a management route, a 404, a {@code GET} sent with a body) reaches the caller and the
 * connection stays usable.
 *
 * <p>Without this, Jetty consumes only the part of the body that has already arrived and closes the connection on the
 * rest. Closing a socket with unread bytes makes the kernel send a reset instead of a close, and a reset can discard
 * the answer the caller has not read yet: the caller sees the connection fail with no answer at all (an HTTP client
 * still sending the body is the usual victim). nginx calls the cure a lingering close; this is that, bounded: at most
 * the service's maximum request size is read, asynchronously (no thread waits for a slow sender), and a body declared
 * larger than that, or one the caller will only send after a {@code 100 Continue} it never got, is left to Jetty to
 * refuse by closing.
 */
final class UnreadBodies extends Handler.Wrapper {
    private final long maxBytes;

    UnreadBodies(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long length = request.getLength();
        if (length == 0 || length > maxBytes
                || request.getHeaders().contains(HttpHeader.EXPECT, HttpHeaderValue.CONTINUE.asString())) {
            return super.handle(request, response, callback);
        }
        return super.handle(request, response, new Discard(request, callback));
    }

    /** Completes the exchange once the body's end is read (or {@code maxBytes} were, or reading failed). */
    private final class Discard extends Callback.Nested implements Runnable {
        private final Request request;
        private long discarded;

        Discard(Request request, Callback callback) {
            super(callback);
            this.request = request;
        }

        @Override
        public void succeeded() {
            run();
        }

        /** Reads what has arrived; when nothing has, asks to be run again when more does. */
        @Override
        public void run() {
            while (true) {
                Content.Chunk chunk;
                try {
                    chunk = request.read();
                } catch (RuntimeException e) {
                    super.succeeded();
                    return;
                }
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                discarded += chunk.remaining();
                boolean last = chunk.isLast();
                chunk.release();
                if (last || Content.Chunk.isFailure(chunk) || discarded > maxBytes) {
                    super.succeeded();
                    return;
                }
            }
        }
    }
}
