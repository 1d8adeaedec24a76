package dev.smartflow.providers.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.sse.SseDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import okhttp3.Call;
import okhttp3.Response;
import okio.BufferedSource;
import okio.Okio;

/**
 * An OpenAI chat or completions stream read chunk by chunk from the upstream's response body.
 *
 * <p>The stream ends at {@code data: [DONE]}, which is not a chunk. Some compatible servers close the body without
 * {@code [DONE]}; that is a normal end when the last chunk carrying choices had a {@code finish_reason}, and a broken
 * stream otherwise. Only then, at the end, is a chunk parsed: on the way through, chunks stay bytes.
 *
 * <p>Deadlines: while the reader waits for a chunk, the call expires after the idle timeout; while the reader is busy
 * with a chunk (writing it to a slow client, say) the deadline is suspended, since that wait is not the upstream's.
 *
 * <p>Connection reuse: after {@code [DONE]} the rest of the body (the chunked-encoding terminator) is read before the
 * response is closed, because OkHttp would otherwise discard it under an Okio timeout, waking its watchdog thread. A
 * stream abandoned early cancels the call instead, so that closing never waits on the upstream.
 */
final class SseChunkStream implements ChunkStream {
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(1);

    private final String provider;
    private final Call call;
    private final Response response;
    private final BufferedSource source;
    private final SseDecoder decoder;
    private final Deadline deadline;
    private final Duration idleTimeout;
    private final OpenAiErrors errors;

    private Chunk next;
    /** The last two chunks, kept to judge an end without {@code [DONE]}: the very last may be a usage-only chunk. */
    private Body last;
    private Body beforeLast;
    private boolean ended;
    private boolean exhausted;
    private volatile boolean closed;

    SseChunkStream(String provider, Call call, Response response, Deadline deadline, Duration idleTimeout,
                   OpenAiErrors errors) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.call = Objects.requireNonNull(call, "call");
        this.response = Objects.requireNonNull(response, "response");
        this.source = response.body().source();
        this.decoder = new SseDecoder(source);
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.errors = Objects.requireNonNull(errors, "errors");
    }

    @Override
    public boolean hasNext() {
        if (next == null && !ended) {
            next = read();
        }
        return next != null;
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
        if (closed) {
            return;
        }
        closed = true;
        ended = true;
        if (!exhausted) {
            call.cancel();
        }
        response.close();
        deadline.close();
    }

    /** The next chunk, or {@code null} at a normal end; a failure closes the stream and is thrown. */
    private Chunk read() {
        SseDecoder.Event event;
        deadline.expireAfter(idleTimeout);
        try {
            event = decoder.next();
        } catch (IOException e) {
            String what = closed ? "stream closed while reading" : "connection lost mid-stream";
            UpstreamFailure failure = deadline.expired() ? UpstreamFailure.timeout(provider, e)
                    : UpstreamFailure.io(provider, what, e);
            end();
            throw failure;
        }
        deadline.suspend();
        if (event == null) {
            exhausted = true;
            boolean finished = finished();
            end();
            if (!finished) {
                throw UpstreamFailure.io(provider, "stream ended early", null);
            }
            return null;
        }
        byte[] data = event.data();
        if (Arrays.equals(data, DONE)) {
            drain();
            end();
            return null;
        }
        if (event.event().equals("error") || OpenAiErrors.isErrorObject(data)) {
            UpstreamFailure failure = errors.fromStreamEvent(data);
            end();
            throw failure;
        }
        Body body = Body.wrap(data);
        beforeLast = last;
        last = body;
        return new Chunk(event.event(), body);
    }

    private void end() {
        ended = true;
        close();
    }

    /** Reads what follows {@code [DONE]} (normally just the end of the chunked body), briefly. */
    private void drain() {
        deadline.expireAfter(idleTimeout.compareTo(DRAIN_GRACE) < 0 ? idleTimeout : DRAIN_GRACE);
        try {
            source.readAll(Okio.blackhole());
            exhausted = true;
        } catch (IOException e) {
            // The answer is complete; the connection just cannot be reused.
        }
    }

    private boolean finished() {
        return finishReasonIn(last).orElseGet(() -> finishReasonIn(beforeLast).orElse(false));
    }

    /** Whether {@code chunk} finished a choice; empty when it has no choices to tell by (a usage-only chunk). */
    private static Optional<Boolean> finishReasonIn(Body chunk) {
        if (chunk == null) {
            return Optional.empty();
        }
        JsonNode choices;
        try {
            choices = chunk.json().path("choices");
        } catch (InvalidRequest e) {
            return Optional.of(false);
        }
        if (!choices.isArray() || choices.isEmpty()) {
            return Optional.empty();
        }
        for (JsonNode choice : choices) {
            JsonNode reason = choice.path("finish_reason");
            if (!reason.isMissingNode() && !reason.isNull()) {
                return Optional.of(true);
            }
        }
        return Optional.of(false);
    }
}
