package dev.smartflow.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.server.http.Services;
import io.javalin.http.Context;
import java.io.IOException;

/** The JSON of the MCP gateway's HTTP API: reading a request's object, answering {@code {"success": true, ...}}. */
final class ApiJson {
    private ApiJson() {
    }

    /**
     * @throws InvalidRequest {@code invalid_json} when the body is not JSON, {@code invalid_request} when it is not an
     *                        object
     */
    static JsonNode object(Context ctx) {
        JsonNode body;
        try {
            body = Body.MAPPER.readTree(ctx.bodyAsBytes());
        } catch (IOException e) {
            throw new InvalidRequest("the request body is not valid JSON", "invalid_json", null);
        }
        if (body == null || !body.isObject()) {
            throw new InvalidRequest("the request body must be a JSON object", "invalid_request", null);
        }
        return body;
    }

    static ObjectNode success() {
        return Body.MAPPER.createObjectNode().put("success", true);
    }

    static void answer(Context ctx, int status, JsonNode json) {
        try {
            Services.json(ctx, status, Body.MAPPER.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an answer", e);
        }
    }
}
