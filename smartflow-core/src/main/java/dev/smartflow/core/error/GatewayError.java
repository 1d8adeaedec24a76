package dev.smartflow.core.error;

import dev.smartflow.core.exchange.Headers;
import java.util.Objects;

/**
 * An error with a status, type and code of its raiser's choosing: how routing, modules and custom stages fail a call
 * without a class in this package for each (a 403 {@code compliance_violation}, a 503 {@code chain_exhausted}). A
 * module that needs more (an MCP error carried as JSON-RPC, say) extends it; the server renders every one in the
 * caller's error shape like the built-in errors.
 *
 * <pre>{@code
 * throw GatewayError.of(403, "permission_error", "compliance_violation", "the request contains a card number");
 * }</pre>
 *
 * <p>The message goes to callers and logs: never put keys, tokens or prompt text in it.
 */
public non-sealed class GatewayError extends SmartflowException {
    private final int status;
    private final String type;
    private final Headers headers;

    /**
     * @param status  the HTTP status the caller gets, 400 to 599
     * @param type    OpenAI's error type, e.g. {@code invalid_request_error}, {@code server_error}
     * @param code    the machine-readable code, e.g. {@code chain_exhausted}
     * @param headers headers the caller gets with the error, e.g. {@code Retry-After}
     */
    protected GatewayError(int status, String type, String code, String message, String param, Headers headers,
                           Throwable cause) {
        super(message, Objects.requireNonNull(code, "code"), param, cause);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error's status is 400 to 599, not " + status);
        }
        this.status = status;
        this.type = Objects.requireNonNull(type, "type");
        this.headers = Objects.requireNonNull(headers, "headers");
    }

    public static GatewayError of(int status, String type, String code, String message) {
        return new GatewayError(status, type, code, message, null, Headers.EMPTY, null);
    }

    /** A plain gateway error like this one, with a header the caller receives as well. */
    public GatewayError withHeader(String name, String value) {
        return new GatewayError(status, type, code().orElseThrow(), getMessage(), param().orElse(null),
                headers.with(name, value), getCause());
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public Headers headers() {
        return headers;
    }
}
