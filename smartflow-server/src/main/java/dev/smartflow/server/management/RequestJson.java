package dev.smartflow.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import io.javalin.http.Context;
import java.io.IOException;

/** The JSON object an admin route was sent, or the 400 every route gives for anything else. */
final class RequestJson {
    private RequestJson() {
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
}
