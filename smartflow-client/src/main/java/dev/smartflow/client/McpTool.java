package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A tool of the gateway's MCP catalog: the server that offers it, its name, description and input schema (JSON
 * Schema; an open object when the catalog gave none), and its similarity when a search found it.
 */
public record McpTool(String serverId, String name, String description, JsonNode inputSchema, OptionalDouble score) {
    public McpTool {
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(inputSchema, "inputSchema");
        Objects.requireNonNull(score, "score");
    }

    /** The catalog's name for it, {@code server_id.tool}. */
    public String qualifiedName() {
        return serverId + "." + name;
    }

    static McpTool from(JsonNode node) {
        JsonNode schema = node.has("input_schema") ? node.path("input_schema") : node.path("inputSchema");
        if (!schema.isObject()) {
            schema = Json.object().put("type", "object");
        }
        String name = Json.text(node, "name");
        String server = Json.text(node, "server_id");
        if (server.isEmpty() && name.contains(".")) {
            server = name.substring(0, name.indexOf('.'));
            name = name.substring(name.indexOf('.') + 1);
        }
        return new McpTool(server, name, Json.text(node, "description"), schema,
                Json.optionalDecimal(node, "score"));
    }
}
