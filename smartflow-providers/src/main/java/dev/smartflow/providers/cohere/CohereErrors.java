package dev.smartflow.providers.cohere;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.providers.Scrubber;
import dev.smartflow.providers.UpstreamHttp;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns Cohere's error answers into {@link UpstreamFailure}s. Cohere answers errors as {@code {"message": "..."}}
 * (sometimes with an {@code id}); its API reference also documents {@code {"data": "..."}}; a proxy in front may answer
 * plain text or HTML instead.
 *
 * <p>Statuses pass through as {@link UpstreamFailure} allows, with one correction: Cohere's 498 means the request or
 * the answer held a deny-listed token, which is something about the prompt the caller can change, so callers see it as
 * a 400 with code {@code content_blocked}. Its 402 (billing limit) and 499 (request cancelled) are the gateway's
 * business, not the caller's, and become 502 like any upstream server error. Messages are scrubbed of the configured
 * key and anything token-shaped before they leave ({@link Scrubber}).
 */
final class CohereErrors {
    /** Cohere's own status for a request or answer holding a deny-listed token. */
    static final int BLOCKED = 498;

    private final String provider;
    private final Scrubber scrubber;

    CohereErrors(String provider, Optional<String> key) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.scrubber = new Scrubber(key);
    }

    /** The upstream answered {@code status}; {@code body} is the start of its error body, possibly empty. */
    UpstreamFailure fromStatus(int status, byte[] body) {
        String message = message(body);
        if (status == BLOCKED) {
            return UpstreamFailure.status(provider, 400, message, null, "content_blocked");
        }
        return UpstreamFailure.status(provider, status, message, null, null);
    }

    /**
     * An error inside a stream that had started with 200: an error event, or a {@code message-end} whose finish reason
     * is {@code ERROR} or {@code TIMEOUT}. The stream broke; another attempt may succeed.
     */
    UpstreamFailure midStream(String detail) {
        String message = scrubber.clean(detail);
        return UpstreamFailure.io(provider, "error mid-stream" + (message == null ? "" : ": " + message), null);
    }

    /** The message of an error event's data, or of an error body. */
    String message(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return null;
        }
        JsonNode json = UpstreamHttp.lenientJson(body);
        if (!json.isObject()) {
            return scrubber.clean(text);
        }
        for (String field : new String[] {"message", "data", "error"}) {
            JsonNode value = json.path(field);
            if (value.isTextual()) {
                return scrubber.clean(value.textValue());
            }
            if (value.isObject() && value.path("message").isTextual()) {
                return scrubber.clean(value.path("message").textValue());
            }
        }
        return scrubber.clean(text);
    }
}
