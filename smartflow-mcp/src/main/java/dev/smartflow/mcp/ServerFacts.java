package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;

/**
 * What an upstream server says of itself: the revision the gateway speaks with it, its capabilities, its identity
 * ({@code serverInfo}) and its instructions for models.
 */
record ServerFacts(ProtocolVersion version, ObjectNode capabilities, ObjectNode serverInfo,
                   Optional<String> instructions) {
    ServerFacts {
        Objects.requireNonNull(version, "version");
        capabilities = capabilities.deepCopy();
        serverInfo = serverInfo.deepCopy();
        Objects.requireNonNull(instructions, "instructions");
    }

    /** Facts of a server the gateway answers for itself (an OpenAPI server): tools only. */
    static ServerFacts tools(String name) {
        ObjectNode capabilities = JsonRpc.NODES.objectNode();
        capabilities.putObject("tools");
        return new ServerFacts(ProtocolVersion.LATEST_LEGACY, capabilities,
                JsonRpc.NODES.objectNode().put("name", name).put("version", "1"), Optional.empty());
    }

    /**
     * Whether the gateway relays its resource subscriptions: it offers them ({@code capabilities.resources.subscribe})
     * in a legacy revision ({@code resources/subscribe}; a 2026-07-28 server's own listen stream is not relayed).
     */
    boolean subscribable() {
        return capabilities.path("resources").path("subscribe").asBoolean(false) && !version.modern();
    }

    boolean has(String capability) {
        return capabilities.has(capability);
    }
}
