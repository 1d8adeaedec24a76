package dev.smartflow.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.providers.Scrubber;
import dev.smartflow.providers.UpstreamHttp;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Turns Gemini's error answers into {@link UpstreamFailure}s. Gemini's shape is Google's
 * {@code {"error":{"code","message","status","details"}}}, both as an HTTP error body and as the data of an event
 * inside a stream; a proxy in front may answer plain text or HTML instead.
 *
 * <p>The status passes through as {@link UpstreamFailure} allows, with one correction: Gemini answers a bad key with
 * 400 {@code INVALID_ARGUMENT} and reason {@code API_KEY_INVALID}, which callers should see as the 401 it is. Gemini's
 * {@code status} (e.g. {@code RESOURCE_EXHAUSTED}) becomes the error code. Messages are scrubbed of the configured key,
 * of anything token-shaped ({@link Scrubber}) and of Google API keys ({@code AIza...}) before they leave.
 */
final class GeminiErrors {
    /** Google API keys: {@code AIza} and 35 more characters. */
    private static final Pattern GOOGLE_KEY = Pattern.compile("AIza[0-9A-Za-z_-]{30,}");

    private final String provider;
    private final Scrubber scrubber;

    GeminiErrors(String provider, Scrubber scrubber) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.scrubber = Objects.requireNonNull(scrubber, "scrubber");
    }

    /** The upstream answered {@code status}; {@code body} is the start of its error body, possibly empty. */
    UpstreamFailure fromStatus(int status, byte[] body) {
        Parsed parsed = parse(body);
        int effective = status == 400 && parsed.keyInvalid ? 401 : status;
        return UpstreamFailure.status(provider, effective, parsed.message, null, parsed.status);
    }

    /** An error object inside a stream that had started with 200: its {@code code} tells the status it stands for. */
    UpstreamFailure fromStreamEvent(byte[] data) {
        Parsed parsed = parse(data);
        if (parsed.code < 400) {
            return UpstreamFailure.io(provider, "error mid-stream" + (parsed.message == null ? "" : ": "
                    + parsed.message), null);
        }
        return UpstreamFailure.status(provider, parsed.code, parsed.message, null, parsed.status);
    }

    private Parsed parse(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return new Parsed(null, null, 0, false);
        }
        JsonNode json = UpstreamHttp.lenientJson(body);
        // Without alt=sse Gemini wraps answers in a JSON array; an error may come that way too.
        if (json.isArray() && json.size() == 1) {
            json = json.get(0);
        }
        if (!json.isObject()) {
            return new Parsed(clean(text), null, 0, false);
        }
        JsonNode error = json.path("error");
        if (!error.isObject()) {
            return new Parsed(clean(text), null, 0, false);
        }
        boolean keyInvalid = false;
        for (JsonNode detail : error.path("details")) {
            keyInvalid |= "API_KEY_INVALID".equals(detail.path("reason").asText());
        }
        String status = error.path("status").isTextual() ? clean(error.path("status").textValue()) : null;
        return new Parsed(clean(error.path("message").asText(null)), status, error.path("code").asInt(0), keyInvalid);
    }

    private String clean(String text) {
        String cleaned = scrubber.clean(text);
        return cleaned == null ? null : GOOGLE_KEY.matcher(cleaned).replaceAll(Scrubber.MASK);
    }

    /** Fields may be null or 0: an error answer need not have any of them. */
    private record Parsed(String message, String status, int code, boolean keyInvalid) {
    }
}
