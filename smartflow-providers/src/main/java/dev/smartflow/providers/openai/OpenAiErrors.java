package dev.smartflow.providers.openai;

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
 * Turns an upstream's error answer into an {@link UpstreamFailure}. OpenAI's shape is
 * {@code {"error":{"message","type","param","code"}}}; compatible servers also send {@code {"error":"text"}},
 * {@code {"message":...}}, FastAPI's {@code {"detail":...}}, or plain text and HTML from a proxy in front.
 *
 * <p>Upstream messages reach callers and logs, and some echo what they were sent: OpenAI's 401 quotes the key. So the
 * configured key, and anything shaped like a token, is masked before a message leaves this class.
 */
final class OpenAiErrors {
    static final String MASK = "[redacted]";
    /** Enough for any real error message; a proxy's HTML page is cut. */
    private static final int MAX_MESSAGE_CHARS = 1000;
    /** Keys shorter than this are not masked as literals: masking "abc" would garble ordinary words. */
    private static final int MIN_LITERAL_KEY = 6;
    /**
     * Bearer credentials, and keys by their vendor prefixes: OpenAI {@code sk-}, generic {@code key-}, Groq
     * {@code gsk_}, xAI {@code xai-}, NVIDIA {@code nvapi-}, Perplexity {@code pplx-}, Hugging Face {@code hf_}. The
     * {@code *} covers keys that the upstream half-masked itself ({@code sk-proj-****abcd}).
     */
    private static final Pattern TOKEN = Pattern.compile(
            "(?i)\\bbearer\\s+[A-Za-z0-9._~+/=*-]+|\\b(?:sk|key|gsk|xai|nvapi|pplx|hf)[-_][A-Za-z0-9_*-]{6,}");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final String provider;
    private final Optional<String> key;

    OpenAiErrors(String provider, Optional<String> key) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.key = key.filter(k -> k.length() >= MIN_LITERAL_KEY);
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
            return new Parsed(null, null, null, 0);
        }
        JsonNode json;
        try {
            json = Body.MAPPER.readTree(body);
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            return new Parsed(clean(text), null, null, 0);
        }
        JsonNode error = json.path("error");
        if (error.isObject()) {
            JsonNode code = error.path("code");
            return new Parsed(clean(textOf(error.path("message"))), clean(textOf(error.path("type"))),
                    clean(textOf(code)), code.isInt() ? code.intValue() : 0);
        }
        if (error.isTextual()) {
            return new Parsed(clean(error.textValue()), null, null, 0);
        }
        for (String field : new String[] {"message", "detail"}) {
            String message = textOf(json.path(field));
            if (message != null) {
                return new Parsed(clean(message), null, null, 0);
            }
        }
        return new Parsed(clean(text), null, null, 0);
    }

    private String clean(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String flat = WHITESPACE.matcher(text.strip()).replaceAll(" ");
        // Scrub before cutting, so a cut cannot leave half a key that no longer looks like one.
        String scrubbed = scrub(flat);
        return scrubbed.length() <= MAX_MESSAGE_CHARS ? scrubbed : scrubbed.substring(0, MAX_MESSAGE_CHARS) + "…";
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
