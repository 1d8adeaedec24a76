package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import java.util.Objects;

/** JSON-RPC 2.0 as MCP uses it: reading one message, writing results, errors and notifications. */
final class JsonRpc {
    static final JsonNodeFactory NODES = Body.MAPPER.getNodeFactory();

    private JsonRpc() {
    }

    /** What a message is. */
    enum Kind {
        REQUEST, NOTIFICATION, RESPONSE
    }

    /**
     * One message.
     *
     * @param id     the request's id (a string or an integer), or the null node for a notification
     * @param method empty text for a response
     * @param params the params object (an empty one when absent)
     */
    record Message(Kind kind, JsonNode id, String method, ObjectNode params) {
        Message {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(params, "params");
        }
    }

    /**
     * Reads one message, as the 2025-06-18 and later revisions allow it (a batch is not a message).
     *
     * @throws RpcError {@link RpcError#INVALID_REQUEST} for anything else
     */
    static Message parse(JsonNode json) {
        if (json.isArray()) {
            throw invalid("JSON-RPC batches are not supported: send one message per request");
        }
        if (!json.isObject()) {
            throw invalid("a JSON-RPC message is a JSON object");
        }
        if (!json.path("jsonrpc").isTextual() || !json.path("jsonrpc").textValue().equals("2.0")) {
            throw invalid("'jsonrpc' must be \"2.0\"");
        }
        JsonNode id = json.get("id");
        boolean hasId = id != null;
        if (hasId && !(id.isTextual() || id.isIntegralNumber())) {
            throw invalid("'id' must be a string or an integer");
        }
        JsonNode method = json.get("method");
        if (method == null) {
            if (hasId && (json.has("result") || json.has("error"))) {
                return new Message(Kind.RESPONSE, id, "", NODES.objectNode());
            }
            throw invalid("a request or notification needs a 'method'");
        }
        if (!method.isTextual() || method.textValue().isEmpty() || method.textValue().length() > 256) {
            throw invalid("'method' must be a non-empty string");
        }
        JsonNode params = json.get("params");
        if (params != null && !params.isNull() && !params.isObject()) {
            throw invalid("'params' must be an object");
        }
        ObjectNode paramsObject = params == null || params.isNull() ? NODES.objectNode() : (ObjectNode) params;
        return new Message(hasId ? Kind.REQUEST : Kind.NOTIFICATION, hasId ? id : NODES.nullNode(),
                method.textValue(), paramsObject);
    }

    static ObjectNode request(JsonNode id, String method, ObjectNode params) {
        ObjectNode message = NODES.objectNode().put("jsonrpc", "2.0");
        message.set("id", id);
        message.put("method", method);
        message.set("params", params);
        return message;
    }

    static ObjectNode notification(String method, ObjectNode params) {
        ObjectNode message = NODES.objectNode().put("jsonrpc", "2.0").put("method", method);
        if (params != null) {
            message.set("params", params);
        }
        return message;
    }

    static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode message = NODES.objectNode().put("jsonrpc", "2.0");
        message.set("id", id);
        message.set("result", result);
        return message;
    }

    static ObjectNode error(JsonNode id, RpcError error) {
        ObjectNode message = NODES.objectNode().put("jsonrpc", "2.0");
        message.set("id", id == null ? NODES.nullNode() : id);
        ObjectNode body = message.putObject("error").put("code", error.code()).put("message", error.getMessage());
        error.data().ifPresent(data -> body.set("data", data));
        return message;
    }

    private static RpcError invalid(String message) {
        return RpcError.of(RpcError.INVALID_REQUEST, message).withStatus(400);
    }
}
