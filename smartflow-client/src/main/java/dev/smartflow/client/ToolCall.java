package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A function call a model asked for: its id (to answer with {@link Message#tool}), the function's name and its
 * arguments as the JSON text the model wrote.
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }

    static ToolCall from(JsonNode call) {
        JsonNode function = call.path("function");
        JsonNode arguments = function.path("arguments");
        return new ToolCall(Json.text(call, "id"), Json.text(function, "name"),
                arguments.isTextual() ? arguments.asText() : arguments.isMissingNode() ? "{}" : arguments.toString());
    }

    JsonNode toJson() {
        var node = Json.object().put("id", id).put("type", "function");
        node.putObject("function").put("name", name).put("arguments", arguments);
        return node;
    }
}
