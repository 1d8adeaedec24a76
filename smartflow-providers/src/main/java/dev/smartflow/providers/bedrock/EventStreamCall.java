package dev.smartflow.providers.bedrock;

import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.UpstreamHttp;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * An upstream call whose answer is an AWS event stream, read one message at a time; it owns the call: its deadline,
 * its end and its closing, as {@link dev.smartflow.providers.sse.SseCall} does for server-sent events. While the reader
 * waits for a message the call expires after the idle timeout; while the reader is busy with one it already has, the
 * deadline is suspended. Not thread-safe: one reader, though {@link #close()} may come from another thread.
 */
final class EventStreamCall implements AutoCloseable {
    private final String provider;
    private final Call call;
    private final Response response;
    private final BufferedSource source;
    private final EventStreamDecoder decoder;
    private final Deadline deadline;
    private final Duration idleTimeout;
    private boolean exhausted;
    private volatile boolean closed;

    EventStreamCall(String provider, Call call, Response response, Deadline deadline, Duration idleTimeout) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.call = Objects.requireNonNull(call, "call");
        this.response = Objects.requireNonNull(response, "response");
        this.source = response.body().source();
        this.decoder = new EventStreamDecoder(source);
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
    }

    /**
     * Waits for the next message; {@code null} when the body ended between messages.
     *
     * @throws UpstreamFailure a timeout if the deadline passed, otherwise an I/O failure (a corrupt or cut message
     *                         included); the call is closed first
     * @throws dev.smartflow.core.error.ClientClosed if the call was cancelled because the caller went away
     */
    EventStreamDecoder.Message next() {
        EventStreamDecoder.Message message;
        deadline.expireAfter(idleTimeout);
        try {
            message = decoder.next();
        } catch (IOException e) {
            SmartflowException failure = UpstreamHttp.failure(provider, e, deadline,
                    closed ? "stream closed while reading" : e.getMessage() != null
                            && e.getMessage().startsWith("event stream") ? e.getMessage() : "connection lost mid-stream");
            close();
            throw failure;
        }
        deadline.suspend();
        if (message == null) {
            exhausted = true;
        }
        return message;
    }

    boolean closed() {
        return closed;
    }

    /** Cancels the call unless it was read to its end; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!exhausted) {
            call.cancel();
        }
        response.close();
        deadline.close();
    }
}
