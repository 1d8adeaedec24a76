package dev.smartflow.providers;

import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import java.io.IOException;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.Objects;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSource;

/**
 * An upstream's answer body relayed as raw bytes (synthesised audio, say): each chunk is what arrived since the last
 * one, at most {@value #MAX_CHUNK} bytes, handed on as soon as it is there; nothing waits for the whole answer.
 *
 * <p>While the reader waits for bytes the call expires after the idle timeout; while the reader is busy with a chunk
 * (writing it to a slow client) the deadline is suspended. A broken connection or a passed deadline is thrown as an
 * {@link UpstreamFailure}, a call cancelled because the caller went away as a
 * {@link dev.smartflow.core.error.ClientClosed}. Closing releases the connection and the deadline. For adapters; not thread-safe.
 */
public final class UpstreamBytes implements ChunkStream {
    static final int MAX_CHUNK = 16 * 1024;

    private final String provider;
    private final Response response;
    private final Deadline deadline;
    private final Duration idleTimeout;
    private final BufferedSource source;
    private Chunk next;
    private boolean ended;

    /** Takes over {@code response} and {@code deadline}: both are closed when the stream ends or is closed. */
    public UpstreamBytes(String provider, Response response, Deadline deadline, Duration idleTimeout) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.response = Objects.requireNonNull(response, "response");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.source = response.body().source();
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (ended) {
            return false;
        }
        deadline.expireAfter(idleTimeout);
        try {
            Buffer buffer = source.getBuffer();
            if (buffer.size() == 0 && !source.request(1)) {
                close();
                return false;
            }
            // what already arrived, without waiting for more
            next = Chunk.data(Body.wrap(source.readByteArray(Math.min(buffer.size(), MAX_CHUNK))));
            deadline.suspend();
            return true;
        } catch (IOException e) {
            RuntimeException failure = UpstreamHttp.failure(provider, e, deadline,
                    "connection lost while relaying the answer");
            close();
            throw failure;
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
        ended = true;
        response.close();
        deadline.close();
    }
}
