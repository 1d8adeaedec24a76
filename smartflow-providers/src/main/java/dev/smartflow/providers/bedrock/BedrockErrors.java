package dev.smartflow.providers.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.providers.Scrubber;
import dev.smartflow.providers.UpstreamHttp;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * Turns Bedrock's errors into {@link UpstreamFailure}s. Bedrock names an error by its exception type, in the
 * {@code x-amzn-ErrorType} header ({@code ValidationException:http://internal.amazon.com/...}) or the body's
 * {@code __type} ({@code com.amazon.coral.validate#ValidationException}), with {@code {"message": ...}} as the body; in
 * a stream, an exception is a message whose {@code :exception-type} header names it ({@code throttlingException}).
 *
 * <p>The type decides the status callers see, whatever HTTP status carried it: throttling and quota errors are 429,
 * validation 400, access denied 403, unknown model 404, credentials AWS does not accept (unknown key, bad signature,
 * expired token) 401, and everything the model or the service did wrong ({@code ModelErrorException},
 * {@code ModelTimeoutException}, {@code InternalServerException}, {@code ServiceUnavailableException},
 * {@code ModelStreamErrorException}) a retryable 502. Unknown types keep the HTTP status as {@link UpstreamFailure}
 * allows. The type, lower-camel, is the error code. Messages are scrubbed of the configured secrets (access key id,
 * secret, session token, API key) and anything token-shaped ({@link Scrubber}).
 */
final class BedrockErrors {
    private final String provider;
    private final Scrubber scrubber;

    BedrockErrors(String provider, Scrubber scrubber) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.scrubber = Objects.requireNonNull(scrubber, "scrubber");
    }

    /**
     * The upstream answered {@code status}.
     *
     * @param errorType the {@code x-amzn-ErrorType} header, or {@code null}
     * @param body      the start of its error body, possibly empty
     */
    UpstreamFailure fromStatus(int status, String errorType, byte[] body) {
        JsonNode json = UpstreamHttp.lenientJson(body);
        String type = typeName(errorType);
        if (type == null && json.path("__type").isTextual()) {
            type = typeName(json.path("__type").textValue());
        }
        String message = message(json, body);
        return failure(type, status, message);
    }

    /** An exception message inside a stream that had started with 200. */
    UpstreamFailure fromStreamException(String exceptionType, byte[] payload) {
        JsonNode json = UpstreamHttp.lenientJson(payload);
        String type = typeName(exceptionType);
        return failure(type, 0, message(json, payload));
    }

    private UpstreamFailure failure(String type, int httpStatus, String message) {
        int status = statusOf(type, httpStatus);
        String code = type == null ? null : Character.toLowerCase(type.charAt(0)) + type.substring(1);
        if (status == 0) {
            return UpstreamFailure.io(provider, "error mid-stream" + (message == null ? "" : ": " + message), null);
        }
        return UpstreamFailure.status(provider, status, message, status >= 500 ? "upstream_error" : null, code);
    }

    /** The status an exception type stands for; {@code httpStatus} when the type is unknown or absent. */
    static int statusOf(String type, int httpStatus) {
        if (type == null) {
            return httpStatus;
        }
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "throttlingexception", "servicequotaexceededexception", "toomanyrequestsexception",
                 "modelnotreadyexception" -> 429;
            case "validationexception", "serializationexception" -> 400;
            case "accessdeniedexception" -> 403;
            case "resourcenotfoundexception" -> 404;
            case "unrecognizedclientexception", "invalidsignatureexception", "expiredtokenexception",
                 "incompletesignatureexception", "missingauthenticationtokenexception" -> 401;
            case "modelerrorexception", "modeltimeoutexception", "modelstreamerrorexception",
                 "internalserverexception", "serviceunavailableexception" -> 502;
            default -> httpStatus;
        };
    }

    /** {@code ValidationException:http://...} or {@code com.amazon...#ValidationException} as {@code ValidationException}. */
    private static String typeName(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String type = raw.strip();
        int colon = type.indexOf(':');
        if (colon >= 0) {
            type = type.substring(0, colon);
        }
        int hash = type.lastIndexOf('#');
        if (hash >= 0) {
            type = type.substring(hash + 1);
        }
        return type.isEmpty() || !type.chars().allMatch(Character::isLetterOrDigit) ? null
                : Character.toUpperCase(type.charAt(0)) + type.substring(1);
    }

    private String message(JsonNode json, byte[] body) {
        if (json.isObject()) {
            JsonNode message = json.path("message").isTextual() ? json.path("message") : json.path("Message");
            if (message.isTextual()) {
                return scrubber.clean(message.textValue());
            }
        }
        return scrubber.clean(new String(body, StandardCharsets.UTF_8));
    }
}
