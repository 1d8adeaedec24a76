package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every failure of a Smartflow call: the gateway's error answer (OpenAI's shape, {@code {"error": {"message", "type",
 * "code", "param"}}}, or Anthropic's on the Anthropic route) or a failure to reach it. Subclasses name the cases a
 * caller usually treats apart:
 * <ul>
 *   <li>{@link SmartflowConnectionException}: the gateway could not be reached;</li>
 *   <li>{@link SmartflowTimeoutException}: no answer within the client's timeout;</li>
 *   <li>{@link AuthenticationException}: 401, a missing or wrong key;</li>
 *   <li>{@link RateLimitException}: 429 (and 402), a rate limit or a budget, with when to retry;</li>
 *   <li>{@link ComplianceException}: 403 from a compliance policy, with the types of what it found;</li>
 *   <li>{@link ProviderException}: 502, 503 or 504, the provider (or every provider of a chain) failed.</li>
 * </ul>
 * Anything else (a 400, 404, a 403 that is not compliance) is a plain {@code SmartflowException} with its status,
 * type and code. Messages never contain the client's key.
 */
public sealed class SmartflowException extends RuntimeException
        permits SmartflowConnectionException, SmartflowTimeoutException, AuthenticationException, RateLimitException,
        ComplianceException, ProviderException {
    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final String requestId;

    /**
     * @param status    the HTTP status, 0 when no answer arrived
     * @param type      the error's type ({@code invalid_request_error}, ...), or a client-side kind
     * @param code      the error's code, may be null
     * @param param     the parameter at fault, may be null
     * @param requestId the gateway's {@code x-smartflow-request-id} for this call, may be null
     */
    public SmartflowException(String message, int status, String type, String code, String param, String requestId,
                              Throwable cause) {
        super(message, cause);
        this.status = status;
        this.type = type == null ? "" : type;
        this.code = code;
        this.param = param;
        this.requestId = requestId;
    }

    public SmartflowException(String message, int status, String type, String code) {
        this(message, status, type, code, null, null, null);
    }

    /**
     * The exception for an error answer: its status, its body (OpenAI's or Anthropic's error shape) and headers. For
     * gateways that are not reached over HTTP, so that their failures reach callers as the same types.
     */
    public static SmartflowException fromAnswer(int status, JsonNode body, Map<String, String> headers) {
        return Errors.fromAnswer(status, okhttp3.Headers.of(headers), body, Instant.now());
    }

    /** The HTTP status the gateway answered; empty when no answer arrived. */
    public OptionalInt status() {
        return status == 0 ? OptionalInt.empty() : OptionalInt.of(status);
    }

    /** The error type: OpenAI's ({@code invalid_request_error}, {@code rate_limit_error}, ...) or the gateway's. */
    public String type() {
        return type;
    }

    public Optional<String> code() {
        return Optional.ofNullable(code);
    }

    public Optional<String> param() {
        return Optional.ofNullable(param);
    }

    /** The gateway's request id, to find the call in the audit log. */
    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }
}
