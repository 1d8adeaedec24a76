package dev.smartflow.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Anthropic's error answers into {@link UpstreamFailure}s. Anthropic's shape is
 * {@code {"type":"error","error":{"type","message"},"request_id"}}, both as an HTTP error body and as the data of an
 * {@code error} event inside a stream; a proxy in front may answer plain text or HTML instead.
 *
 * <p>Status 529 ({@code overloaded_error}) is not a status callers know: it becomes a retryable 502, like every other
 * upstream server error. Messages are scrubbed of the configured key and anything token-shaped before they leave.
 */
final class AnthropicErrors {
    static final String MASK = "[redacted]";
    private static final int MAX_MESSAGE_CHARS = 1000;
    private static final int MIN_LITERAL_KEY = 6;
    /** Bearer credentials and keys by prefix: Anthropic's {@code sk-ant-…}, and the other vendors' for good measure. */
    private static final Pattern TOKEN = Pattern.compile(
            "(?i)\\bbearer\\s+[A-Za-z0-9._~+/=*-]+|\\b(?:sk|key|gsk|xai|nvapi|pplx|hf)[-_][A-Za-z0-9_*-]{6,}");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final String provider;
    private final Optional<String> key;

    AnthropicErrors(String provider, Optional<String> key) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.key = key.filter(k -> k.length() >= MIN_LITERAL_KEY);
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

    /** {@code text} with the configured key and anything token-shaped masked. */
    String scrub(String text) {
        String out = text;
        if (key.isPresent()) {
            out = out.replace(key.get(), MASK);
        }
        Matcher matcher = TOKEN.matcher(out);
        return matcher.find() ? matcher.replaceAll(MASK) : out;
    }

    private Parsed parse(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return new Parsed(null, null);
        }
        JsonNode json;
        try {
            json = Body.MAPPER.readTree(body);
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            return new Parsed(clean(text), null);
        }
        JsonNode error = json.path("error");
        if (error.isObject()) {
            return new Parsed(clean(textOf(error.path("message"))), clean(textOf(error.path("type"))));
        }
        String message = textOf(error.isTextual() ? error : json.path("message"));
        return new Parsed(clean(message != null ? message : text), null);
    }

    private String clean(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String scrubbed = scrub(WHITESPACE.matcher(text.strip()).replaceAll(" "));
        return scrubbed.length() <= MAX_MESSAGE_CHARS ? scrubbed : scrubbed.substring(0, MAX_MESSAGE_CHARS) + "…";
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
