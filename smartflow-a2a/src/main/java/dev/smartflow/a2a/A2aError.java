package dev.smartflow.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * An error the gateway answers instead of a result, in the caller's binding: a JSON-RPC error object, or on the REST
 * binding a {@code google.rpc.Status} with an {@code ErrorInfo} naming its reason (A2A 1.0, sections 9.5 and 11.6).
 * Codes: JSON-RPC's standard ones for bad input, A2A's (-32001 to -32009; {@link #TASK_NOT_FOUND} ...) for what the
 * protocol names, and the gateway's own outside JSON-RPC's reserved range for its refusals, as the MCP gateway numbers
 * them: {@code -31000 - s} for what HTTP calls status {@code s} ({@link #FORBIDDEN} is -31403). Thrown inside the
 * module and turned into an answer at its edge.
 *
 * @param httpStatus the status the answer carries: 200 for an agent's own A2A error on JSON-RPC (the error is the
 *                   answer), the refusal's status for the gateway's
 * @param reason     a short machine-readable reason for metrics and the REST binding ({@code TASK_NOT_FOUND},
 *                   {@code budget_exceeded}, ...)
 */
final class A2aError extends RuntimeException {
    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;
    static final int TASK_NOT_FOUND = -32001;
    static final int TASK_NOT_CANCELABLE = -32002;
    static final int PUSH_NOT_SUPPORTED = -32003;
    static final int UNSUPPORTED_OPERATION = -32004;
    static final int CONTENT_TYPE_NOT_SUPPORTED = -32005;
    static final int INVALID_AGENT_RESPONSE = -32006;
    static final int EXTENDED_CARD_NOT_CONFIGURED = -32007;
    static final int EXTENSION_SUPPORT_REQUIRED = -32008;
    static final int VERSION_NOT_SUPPORTED = -32009;
    static final int UNAUTHORIZED = -31401;
    static final int FORBIDDEN = -31403;
    static final int NOT_FOUND = -31404;
    static final int LIMITED = -31429;
    static final int UPSTREAM_FAILED = -31502;
    static final int UNAVAILABLE = -31503;
    static final int UPSTREAM_TIMEOUT = -31504;

    private final int code;
    private final int httpStatus;
    private final String reason;
    private final transient Optional<JsonNode> data;

    private A2aError(int code, String message, int httpStatus, String reason, Optional<JsonNode> data) {
        super(message, null, false, false);
        this.code = code;
        this.httpStatus = httpStatus;
        this.reason = reason;
        this.data = data;
    }

    /** An error of the protocol or the gateway, with the status and reason its code implies. */
    static A2aError of(int code, String message) {
        return new A2aError(code, message, defaultStatus(code), defaultReason(code), Optional.empty());
    }

    /** The agent's own JSON-RPC error, passed on as it came (its data included). */
    static A2aError fromAgent(JsonNode error) {
        int code = error.path("code").canConvertToInt() ? error.path("code").asInt() : INTERNAL_ERROR;
        String message = error.path("message").asText("the agent answered an error");
        return new A2aError(code, message.length() > 500 ? message.substring(0, 500) + "…" : message, 200,
                defaultReason(code), Optional.ofNullable(error.get("data")));
    }

    A2aError withStatus(int status) {
        return new A2aError(code, getMessage(), status, reason, data);
    }

    A2aError withData(JsonNode value) {
        return new A2aError(code, getMessage(), httpStatus, reason, Optional.of(value));
    }

    A2aError because(String why) {
        return new A2aError(code, getMessage(), httpStatus, why, data);
    }

    int code() {
        return code;
    }

    int httpStatus() {
        return httpStatus;
    }

    String reason() {
        return reason;
    }

    /** The JSON-RPC error object. */
    ObjectNode rpcError() {
        ObjectNode error = Wire.NODES.objectNode().put("code", code).put("message", getMessage());
        data.ifPresent(d -> error.set("data", d));
        return error;
    }

    /** The JSON-RPC answer to the request of {@code id}. */
    ObjectNode rpcAnswer(JsonNode id) {
        ObjectNode answer = Wire.NODES.objectNode().put("jsonrpc", "2.0");
        answer.set("id", id);
        answer.set("error", rpcError());
        return answer;
    }

    /** The REST binding's status for this error (the agent's A2A errors mapped per A2A 1.0, section 5.4). */
    int restStatus() {
        return switch (code) {
            case TASK_NOT_FOUND, NOT_FOUND, METHOD_NOT_FOUND -> 404;
            case TASK_NOT_CANCELABLE, PUSH_NOT_SUPPORTED, UNSUPPORTED_OPERATION, CONTENT_TYPE_NOT_SUPPORTED,
                 EXTENDED_CARD_NOT_CONFIGURED, EXTENSION_SUPPORT_REQUIRED, VERSION_NOT_SUPPORTED, PARSE_ERROR,
                 INVALID_REQUEST, INVALID_PARAMS -> 400;
            default -> httpStatus == 200 ? 500 : httpStatus;
        };
    }

    /** The REST binding's answer: {@code {"error": {code, status, message, details: [ErrorInfo]}}}. */
    ObjectNode restAnswer() {
        int status = restStatus();
        ObjectNode answer = Wire.NODES.objectNode();
        ObjectNode error = answer.putObject("error").put("code", status).put("status", grpcStatus(status))
                .put("message", getMessage());
        error.putArray("details").addObject().put("@type", "type.googleapis.com/google.rpc.ErrorInfo")
                .put("reason", reason.toUpperCase(java.util.Locale.ROOT)).put("domain", code <= -32001
                        && code >= -32099 ? "a2a-protocol.org" : "smartflow");
        return answer;
    }

    private static String grpcStatus(int status) {
        return switch (status) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 503, 502 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> "INTERNAL";
        };
    }

    private static int defaultStatus(int code) {
        if (code <= -31000 && code > -31600) {
            return -31000 - code;
        }
        return switch (code) {
            case PARSE_ERROR, INVALID_REQUEST, INVALID_PARAMS -> 400;
            default -> 200;
        };
    }

    private static String defaultReason(int code) {
        return switch (code) {
            case PARSE_ERROR -> "parse_error";
            case INVALID_REQUEST -> "invalid_request";
            case METHOD_NOT_FOUND -> "method_not_found";
            case INVALID_PARAMS -> "invalid_params";
            case TASK_NOT_FOUND -> "task_not_found";
            case TASK_NOT_CANCELABLE -> "task_not_cancelable";
            case PUSH_NOT_SUPPORTED -> "push_notification_not_supported";
            case UNSUPPORTED_OPERATION -> "unsupported_operation";
            case CONTENT_TYPE_NOT_SUPPORTED -> "content_type_not_supported";
            case INVALID_AGENT_RESPONSE -> "invalid_agent_response";
            case EXTENDED_CARD_NOT_CONFIGURED -> "extended_agent_card_not_configured";
            case EXTENSION_SUPPORT_REQUIRED -> "extension_support_required";
            case VERSION_NOT_SUPPORTED -> "version_not_supported";
            case UNAUTHORIZED -> "unauthorized";
            case FORBIDDEN -> "forbidden";
            case NOT_FOUND -> "agent_not_found";
            case LIMITED -> "limited";
            case UPSTREAM_FAILED -> "upstream_failed";
            case UNAVAILABLE -> "unavailable";
            case UPSTREAM_TIMEOUT -> "upstream_timeout";
            default -> "error";
        };
    }
}
