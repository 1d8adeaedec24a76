package dev.smartflow.providers.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.sse.JsonData;
import dev.smartflow.providers.sse.SseCall;
import dev.smartflow.providers.sse.SseDecoder;
import dev.smartflow.providers.sse.UpstreamChunkStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import okhttp3.Call;
import okhttp3.Response;

/**
 * An OpenAI chat or completions stream read chunk by chunk from the upstream's response body.
 *
 * <p>The stream ends at {@code data: [DONE]}, which is not a chunk. Some compatible servers close the body without
 * {@code [DONE]}; that is a normal end when the last chunk carrying choices had a {@code finish_reason}, and a broken
 * stream otherwise. Only then, at the end, is a chunk parsed into a tree: on the way through, chunks stay bytes,
 * checked only to be one JSON object ({@link JsonData}), so that a malformed chunk ends the stream with an error event
 * instead of reaching the client.
 *
 * <p>Deadlines, draining after {@code [DONE]} and closing are {@link SseCall}'s: while the reader waits for a chunk,
 * the call expires after the idle timeout, and while it is busy with a chunk the deadline is suspended.
 */
final class SseChunkStream extends UpstreamChunkStream {
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    private final String provider;
    private final SseCall upstream;
    private final OpenAiErrors errors;

    /** The last two chunks, kept to judge an end without {@code [DONE]}: the very last may be a usage-only chunk. */
    private Body last;
    private Body beforeLast;

    SseChunkStream(String provider, Call call, Response response, Deadline deadline, Duration idleTimeout,
                   OpenAiErrors errors) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.upstream = new SseCall(provider, call, response, deadline, idleTimeout);
        this.errors = Objects.requireNonNull(errors, "errors");
    }

    @Override
    protected void pull() {
        Chunk chunk = upstream.closed() ? null : read();
        if (chunk == null) {
            endStream();
        } else {
            enqueue(chunk);
        }
    }

    @Override
    protected void closeUpstream() {
        upstream.close();
    }

    /** The next chunk, or {@code null} at a normal end; a failure closes the stream and is thrown. */
    private Chunk read() {
        SseDecoder.Event event = upstream.next();
        if (event == null) {
            boolean finished = finished();
            upstream.close();
            if (!finished) {
                throw UpstreamFailure.io(provider, "stream ended early", null);
            }
            return null;
        }
        byte[] data = event.data();
        if (Arrays.equals(data, DONE)) {
            upstream.finish();
            return null;
        }
        if (event.event().equals("error") || OpenAiErrors.isErrorObject(data)) {
            UpstreamFailure failure = errors.fromStreamEvent(data);
            upstream.close();
            throw failure;
        }
        try {
            JsonData.requireObject(provider, data);
        } catch (UpstreamFailure malformed) {
            upstream.close();
            throw malformed;
        }
        Body body = Body.wrap(data);
        beforeLast = last;
        last = body;
        return new Chunk(event.event(), body);
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
