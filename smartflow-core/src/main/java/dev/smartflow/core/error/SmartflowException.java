package dev.smartflow.core.error;

import dev.smartflow.core.exchange.Headers;
import java.util.Objects;
import java.util.Optional;

/**
 * The root of every error Smartflow reports to a caller. Each subclass fixes the HTTP status and the OpenAI error
 * {@code type}; the server renders it as {@code {"error":{"message","type","param","code"}}}.
 *
 * <p>Messages never contain keys, tokens, {@code Authorization} headers or prompt text: they are returned to callers
 * and written to logs.
 */
public abstract sealed class SmartflowException extends RuntimeException
        permits InvalidRequest, Unauthorized, PermissionDenied, NotFound, RateLimited, BudgetExceeded,
        UpstreamFailure, StateUnavailable, GatewayError, ClientClosed {
    private final String code;
    private final String param;

    SmartflowException(String message, String code, String param, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause, false, false);
        this.code = code;
        this.param = param;
    }

    /** The HTTP status the caller receives. */
    public abstract int status();

    /** OpenAI's error {@code type}, e.g. {@code invalid_request_error}. */
    public abstract String type();

    /** OpenAI's machine-readable error {@code code}, e.g. {@code invalid_api_key}. */
    public Optional<String> code() {
        return Optional.ofNullable(code);
    }

    /**
     * Headers the caller receives with the error, e.g. {@code Retry-After} on a {@link RateLimited}; empty for most
     * errors. The server writes them as they are.
     */
    public Headers headers() {
        return Headers.EMPTY;
    }

    /** The request parameter at fault, if one is. */
    public Optional<String> param() {
        return Optional.ofNullable(param);
    }
}
