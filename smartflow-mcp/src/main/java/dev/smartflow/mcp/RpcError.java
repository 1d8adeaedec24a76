package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * A JSON-RPC error the gateway answers instead of a result: the standard codes for bad input, the MCP codes of the
 * 2026-07-28 revision, and the gateway's own, which sit outside JSON-RPC's reserved range (-32768 to -32000) as that
 * revision asks: {@code -31000 - s} for what HTTP would call status {@code s} ({@link #FORBIDDEN} is -31403).
 * Thrown inside the module and turned into an answer at its edge; never leaves it.
 *
 * @param httpStatus the HTTP status the answer carries (200 for most: the JSON-RPC error is the answer)
 */
final class RpcError extends RuntimeException {
    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;
    static final int HEADER_MISMATCH = -32020;
    static final int MISSING_CLIENT_CAPABILITY = -32021;
    static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;
    /** Refused by policy: the caller's network, a guardrail. */
    static final int FORBIDDEN = -31403;
    /** Over the key's budget or rate limit. */
    static final int LIMITED = -31429;
    /** The upstream server failed or answered garbage. */
    static final int UPSTREAM_FAILED = -31502;
    /** The gateway's shared state is unreachable. */
    static final int UNAVAILABLE = -31503;
    /** The upstream server did not answer in time. */
    static final int UPSTREAM_TIMEOUT = -31504;

    private final int code;
    private final int httpStatus;
    private final Optional<JsonNode> data;
    private final String reason;

    RpcError(int code, String message, int httpStatus, Optional<JsonNode> data, String reason) {
        super(message, null, false, false);
        this.code = code;
        this.httpStatus = httpStatus;
        this.data = data;
        this.reason = reason;
    }

    static RpcError of(int code, String message) {
        return new RpcError(code, message, 200, Optional.empty(), reasonOf(code));
    }

    /** This error answered with {@code status} instead of 200. */
    RpcError withStatus(int status) {
        return new RpcError(code, getMessage(), status, data, reason);
    }

    RpcError withData(JsonNode value) {
        return new RpcError(code, getMessage(), httpStatus, Optional.of(value), reason);
    }

    /** This error, counted and logged under {@code value} (e.g. {@code budget_exceeded}). */
    RpcError because(String value) {
        return new RpcError(code, getMessage(), httpStatus, data, value);
    }

    int code() {
        return code;
    }

    int httpStatus() {
        return httpStatus;
    }

    Optional<JsonNode> data() {
        return data;
    }

    /** A short code for the call log and metrics. */
    String reason() {
        return reason;
    }

    /** The HTTP status the call log records for this error. */
    int logStatus() {
        return switch (code) {
            case FORBIDDEN -> 403;
            case LIMITED -> 429;
            case UPSTREAM_FAILED -> 502;
            case UNAVAILABLE -> 503;
            case UPSTREAM_TIMEOUT -> 504;
            case INTERNAL_ERROR -> 500;
            default -> httpStatus >= 400 ? httpStatus : 400;
        };
    }

    private static String reasonOf(int code) {
        return switch (code) {
            case PARSE_ERROR -> "parse_error";
            case INVALID_REQUEST -> "invalid_request";
            case METHOD_NOT_FOUND -> "method_not_found";
            case INVALID_PARAMS -> "invalid_params";
            case HEADER_MISMATCH -> "header_mismatch";
            case MISSING_CLIENT_CAPABILITY -> "missing_client_capability";
            case UNSUPPORTED_PROTOCOL_VERSION -> "unsupported_protocol_version";
            case FORBIDDEN -> "forbidden";
            case LIMITED -> "limited";
            case UPSTREAM_FAILED -> "upstream_failed";
            case UNAVAILABLE -> "unavailable";
            case UPSTREAM_TIMEOUT -> "upstream_timeout";
            default -> "internal_error";
        };
    }
}
