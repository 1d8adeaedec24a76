package dev.smartflow.mcp;

import dev.smartflow.server.testing.ModuleGateway;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** A real gateway with the MCP module installed ({@link ModuleGateway}); {@code register} posts to {@code /api/mcp/servers}. */
final class TestGateway extends ModuleGateway {
    TestGateway(Path dataDir) {
        this(dataDir, Map.of(), "");
    }

    /** @param mcpYaml more settings of the {@code mcp:} section, as YAML lines indented by two spaces */
    TestGateway(Path dataDir, Map<String, String> env, String mcpYaml) {
        this(dataDir, env, mcpYaml, "mcp-test-" + UUID.randomUUID() + ":");
    }

    TestGateway(Path dataDir, Map<String, String> env, String mcpYaml, String statePrefix) {
        super(dataDir, env, "mcp", mcpYaml, statePrefix, new McpModule(), "/api/mcp/servers", "server");
    }
}
