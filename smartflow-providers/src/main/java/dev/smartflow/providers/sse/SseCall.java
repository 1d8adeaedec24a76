package dev.smartflow.providers.sse;

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
import okio.Okio;

/**
 * An upstream call whose answer is an event stream, read one event at a time; it owns the call: its deadline, its
 * end and its closing. The protocol packages build their streams on it and decide what ends a stream normally.
 *
 * <p>Deadlines: while the reader waits for an event, the call expires after the idle timeout; while the reader is busy
 * with an event it already has (writing it to a slow client, say) the deadline is suspended, since that wait is not
 * the upstream's.
 *
 * <p>Connection reuse: after the protocol's last event, {@link #finish()} reads the rest of the body (the
 * chunked-encoding terminator) before the response is closed, because OkHttp would otherwise discard it under an Okio
 * timeout, waking its watchdog thread. A call abandoned early is cancelled instead, so that closing never waits on the
 * upstream.
 *
 * <p>Public only so that every protocol package of this module can use it; not an API. Not thread-safe: one reader,
 * though {@link #close()} may come from another thread.
 */
public final class SseCall implements AutoCloseable {
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(1);

    private final String provider;
    private final Call call;
    private final Response response;
    private final BufferedSource source;
    private final SseDecoder decoder;
    private final Deadline deadline;
    private final Duration idleTimeout;
    private boolean exhausted;
    private volatile boolean closed;

    /**
     * @param provider    names the provider in failures
     * @param call        the executed call, cancelled if the stream is closed before its end
     * @param response    its successful answer, whose body is the event stream
     * @param deadline    the call's deadline, closed with the stream
     * @param idleTimeout how long to wait for each event
     */
    public SseCall(String provider, Call call, Response response, Deadline deadline, Duration idleTimeout) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.call = Objects.requireNonNull(call, "call");
        this.response = Objects.requireNonNull(response, "response");
        this.source = response.body().source();
        this.decoder = new SseDecoder(source);
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
    }

    /**
     * Waits for the next event; {@code null} when the body ended, which leaves the caller to judge the end and close.
     *
     * @throws UpstreamFailure a timeout if the deadline passed, otherwise an I/O failure; the call is closed first
     * @throws dev.smartflow.core.error.ClientClosed if the call was cancelled because the caller went away
     */
    public SseDecoder.Event next() {
        SseDecoder.Event event;
        deadline.expireAfter(idleTimeout);
        try {
            event = decoder.next();
        } catch (IOException e) {
            SmartflowException failure = UpstreamHttp.failure(provider, e, deadline,
                    closed ? "stream closed while reading" : "connection lost mid-stream");
            close();
            throw failure;
        }
        deadline.suspend();
        if (event == null) {
            exhausted = true;
        }
        return event;
    }

    /** Ends a stream that got its last event: reads what follows it (normally just the end of the body), briefly. */
    public void finish() {
        deadline.expireAfter(idleTimeout.compareTo(DRAIN_GRACE) < 0 ? idleTimeout : DRAIN_GRACE);
        try {
            source.readAll(Okio.blackhole());
            exhausted = true;
        } catch (IOException e) {
            // The answer is complete; the connection just cannot be reused.
        }
        close();
    }

    /** True once the stream is closed, at its end or before. */
    public boolean closed() {
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
