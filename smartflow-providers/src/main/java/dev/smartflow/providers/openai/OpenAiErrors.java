package dev.smartflow.providers.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.providers.Scrubber;
import dev.smartflow.providers.UpstreamHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns an upstream's error answer into an {@link UpstreamFailure}. OpenAI's shape is
 * {@code {"error":{"message","type","param","code"}}}; compatible servers also send {@code {"error":"text"}},
 * {@code {"message":...}}, FastAPI's {@code {"detail":...}}, or plain text and HTML from a proxy in front.
 *
 * <p>Upstream messages reach callers and logs, and some echo what they were sent: OpenAI's 401 quotes the key. So the
 * configured key, and anything shaped like a token, is masked ({@link Scrubber}) before a message leaves this class.
 */
final class OpenAiErrors {
    private final String provider;
    private final Scrubber scrubber;

    OpenAiErrors(String provider, Optional<String> key) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.scrubber = new Scrubber(key);
    }

    /** The upstream answered {@code status}; {@code body} is the start of its error body, possibly empty. */
    UpstreamFailure fromStatus(int status, byte[] body) {
        Parsed parsed = parse(body);
        return UpstreamFailure.status(provider, status, parsed.message, parsed.type, parsed.code);
    }

    /**
     * An error event inside a stream that had started with 200. A numeric {@code code} in the HTTP range is taken as
     * the status it stands for (OpenRouter sends {@code 429} this way); otherwise the stream just broke.
     */
    UpstreamFailure fromStreamEvent(byte[] data) {
        Parsed parsed = parse(data);
        if (parsed.status >= 400 && parsed.status <= 599) {
            return UpstreamFailure.status(provider, parsed.status, parsed.message, parsed.type, null);
        }
        return UpstreamFailure.io(provider, "error mid-stream" + (parsed.message == null ? "" : ": " + parsed.message),
                null);
    }

    /** True when {@code data} is a JSON object whose top level has a non-null {@code error}. */
    static boolean isErrorObject(byte[] data) {
        if (!mentionsError(data)) {
            return false;
        }
        try {
            JsonNode error = Body.MAPPER.readTree(data).path("error");
            return !error.isMissingNode() && !error.isNull();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A scan for the key {@code "error":} that lets ordinary chunks through without parsing them. Inside a JSON
     * string the quotes would be escaped, so a match is a key (or the rare string value "error", which the parse in
     * {@link #isErrorObject} then rules out).
     */
    static boolean mentionsError(byte[] data) {
        for (int i = 0; i + 7 <= data.length; i++) {
            if (data[i] == '"' && data[i + 1] == 'e' && data[i + 2] == 'r' && data[i + 3] == 'r'
                    && data[i + 4] == 'o' && data[i + 5] == 'r' && data[i + 6] == '"'
                    && (i == 0 || data[i - 1] != '\\')) {
                int j = i + 7;
                while (j < data.length && (data[j] == ' ' || data[j] == '\t' || data[j] == '\r' || data[j] == '\n')) {
                    j++;
                }
                if (j < data.length && data[j] == ':') {
                    return true;
                }
            }
        }
        return false;
    }

    private Parsed parse(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return new Parsed(null, null, null, 0);
        }
        JsonNode json = UpstreamHttp.lenientJson(body);
        if (!json.isObject()) {
            return new Parsed(scrubber.clean(text), null, null, 0);
        }
        JsonNode error = json.path("error");
        if (error.isObject()) {
            JsonNode code = error.path("code");
            return new Parsed(scrubber.clean(textOf(error.path("message"))),
                    scrubber.clean(textOf(error.path("type"))), scrubber.clean(textOf(code)),
                    code.isInt() ? code.intValue() : 0);
        }
        if (error.isTextual()) {
            return new Parsed(scrubber.clean(error.textValue()), null, null, 0);
        }
        for (String field : new String[] {"message", "detail"}) {
            String message = textOf(json.path(field));
            if (message != null) {
                return new Parsed(scrubber.clean(message), null, null, 0);
            }
        }
        return new Parsed(scrubber.clean(text), null, null, 0);
    }

    private static String textOf(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        return node.isValueNode() ? node.asText() : node.toString();
    }

    /** Fields may be null: an upstream error need not have any of them. */
    private record Parsed(String message, String type, String code, int status) {
    }
}
