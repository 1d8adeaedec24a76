package dev.smartflow.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.providers.Scrubber;
import dev.smartflow.providers.UpstreamHttp;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Turns Anthropic's error answers into {@link UpstreamFailure}s. Anthropic's shape is
 * {@code {"type":"error","error":{"type","message"},"request_id"}}, both as an HTTP error body and as the data of an
 * {@code error} event inside a stream; a proxy in front may answer plain text or HTML instead.
 *
 * <p>Status 529 ({@code overloaded_error}) is not a status callers know: it becomes a retryable 502, like every other
 * upstream server error. Messages are scrubbed of the configured key and anything token-shaped before they leave
 * (see {@link Scrubber}).
 */
final class AnthropicErrors {
    private final String provider;
    private final Scrubber scrubber;

    AnthropicErrors(String provider, Scrubber scrubber) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.scrubber = Objects.requireNonNull(scrubber, "scrubber");
    }

    /** The upstream answered {@code status}; {@code body} is the start of its error body, possibly empty. */
    UpstreamFailure fromStatus(int status, byte[] body) {
        Parsed parsed = parse(body);
        return UpstreamFailure.status(provider, status, parsed.message, parsed.type, null);
    }

    /** An {@code error} event inside a stream that had started with 200: its type tells the status it stands for. */
    UpstreamFailure fromStreamEvent(byte[] data) {
        Parsed parsed = parse(data);
        int status = statusOf(parsed.type);
        if (status == 0) {
            return UpstreamFailure.io(provider, "error mid-stream" + (parsed.message == null ? "" : ": "
                    + parsed.message), null);
        }
        return UpstreamFailure.status(provider, status, parsed.message, parsed.type, null);
    }

    /** The HTTP status Anthropic documents for an error type; 0 for a type it does not document. */
    static int statusOf(String type) {
        if (type == null) {
            return 0;
        }
        return switch (type) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "billing_error" -> 402;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "api_error" -> 500;
            case "timeout_error" -> 504;
            case "overloaded_error" -> 529;
            default -> 0;
        };
    }

    private Parsed parse(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return new Parsed(null, null);
        }
        JsonNode json = UpstreamHttp.lenientJson(body);
        if (!json.isObject()) {
            return new Parsed(scrubber.clean(text), null);
        }
        JsonNode error = json.path("error");
        if (error.isObject()) {
            return new Parsed(scrubber.clean(textOf(error.path("message"))),
                    scrubber.clean(textOf(error.path("type"))));
        }
        String message = textOf(error.isTextual() ? error : json.path("message"));
        return new Parsed(scrubber.clean(message != null ? message : text), null);
    }

    private static String textOf(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        return node.isValueNode() ? node.asText() : node.toString();
    }

    /** Fields may be null: an error answer need not have any of them. */
    private record Parsed(String message, String type) {
    }
}
