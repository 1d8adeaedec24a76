package dev.smartflow.providers.anthropic;

import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.sse.JsonData;
import dev.smartflow.providers.sse.SseCall;
import dev.smartflow.providers.sse.SseDecoder;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.Response;

/**
 * Reads the events of an Anthropic Messages stream from the upstream's response, one at a time, and owns the call:
 * its deadline, its end and its closing. Both the translated stream and the native passthrough read through it.
 *
 * <p>A stream ends normally with {@code message_stop}, after which the rest of the body (the chunked terminator) is
 * read briefly so the connection can be reused. A body that ends before {@code message_stop} is a broken stream, and
 * an {@code error} event or an event whose data is not a JSON object a failure: all are thrown as {@link UpstreamFailure} after the call is closed.
 *
 * <p>Deadlines, draining and closing are {@link SseCall}'s: while waiting for an event the call expires after the idle
 * timeout; while the reader is busy with an event it already has, the deadline is suspended.
 */
final class AnthropicEvents implements AutoCloseable {
    static final String MESSAGE_STOP = "message_stop";

    private final String provider;
    private final SseCall upstream;
    private final AnthropicErrors errors;

    AnthropicEvents(String provider, Call call, Response response, Deadline deadline, Duration idleTimeout,
                    AnthropicErrors errors) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.upstream = new SseCall(provider, call, response, deadline, idleTimeout);
        this.errors = Objects.requireNonNull(errors, "errors");
    }

    /**
     * The next event, {@code message_stop} included; {@code null} once the stream is over.
     *
     * @throws UpstreamFailure for an {@code error} event, a broken connection, a passed deadline, or a body that ends
     *                         before {@code message_stop}; the call is closed first
     */
    SseDecoder.Event next() {
        if (upstream.closed()) {
            return null;
        }
        SseDecoder.Event event = upstream.next();
        if (event == null) {
            upstream.close();
            throw UpstreamFailure.io(provider, "stream ended early", null);
        }
        try {
            JsonData.requireObject(provider, event.data());
        } catch (UpstreamFailure malformed) {
            upstream.close();
            throw malformed;
        }
        if (event.event().isEmpty()) {
            // Anthropic names every event; a relay that dropped the names still leaves the type in the data.
            event = new SseDecoder.Event(typeOf(event.data()), event.data());
        }
        if (event.event().equals("error")) {
            UpstreamFailure failure = errors.fromStreamEvent(event.data());
            upstream.close();
            throw failure;
        }
        if (event.event().equals(MESSAGE_STOP)) {
            upstream.finish();
        }
        return event;
    }

    /** Cancels the call unless it was read to its end; idempotent. */
    @Override
    public void close() {
        upstream.close();
    }

    private static String typeOf(byte[] data) {
        try {
            return Body.MAPPER.readTree(data).path("type").asText("");
        } catch (IOException e) {
            return "";
        }
    }
}
