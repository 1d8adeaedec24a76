package dev.smartflow.providers.deepgram;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.providers.Scrubber;
import dev.smartflow.providers.UpstreamHttp;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns Deepgram's error answers into {@link UpstreamFailure}s. Deepgram answers errors in two shapes:
 * {@code {"err_code", "err_msg", "request_id"}} (bad audio, bad credentials, rate limits) and, from its newer
 * endpoints, {@code {"category", "message", "details", "request_id"}}; some permission errors are plain text, and a
 * proxy in front may answer HTML.
 *
 * <p>Statuses pass through as {@link UpstreamFailure} allows: 400, 401, 403, 404, 413 and 429 keep theirs, anything
 * else (Deepgram's 402 for exhausted credits included, which is the gateway's business, not the caller's) becomes 502.
 * Messages are scrubbed of the configured key and anything token-shaped before they leave ({@link Scrubber}).
 */
final class DeepgramErrors {
    private final String provider;
    private final Scrubber scrubber;

    DeepgramErrors(String provider, Optional<String> key) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.scrubber = new Scrubber(key);
    }

    /** The upstream answered {@code status}; {@code body} is the start of its error body, possibly empty. */
    UpstreamFailure fromStatus(int status, byte[] body) {
        return UpstreamFailure.status(provider, status, message(body), null, null);
    }

    /** The message of an error body: {@code err_msg}, else {@code message} with its {@code details}, else the text. */
    String message(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return null;
        }
        JsonNode json = UpstreamHttp.lenientJson(body);
        if (!json.isObject()) {
            return scrubber.clean(text);
        }
        if (json.path("err_msg").isTextual()) {
            return scrubber.clean(json.path("err_msg").textValue());
        }
        if (json.path("message").isTextual()) {
            // the message of this shape is generic ("Invalid query string."); the details say what was wrong
            String details = json.path("details").isTextual() ? " " + json.path("details").textValue() : "";
            return scrubber.clean(json.path("message").textValue() + details);
        }
        return scrubber.clean(text);
    }
}
