package dev.smartflow.a2a;

import dev.smartflow.server.testing.ModuleGateway;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** A real gateway with the A2A module installed ({@link ModuleGateway}); {@code register} posts to {@code /api/a2a/agents}. */
final class TestGateway extends ModuleGateway {
    TestGateway(Path dataDir) {
        this(dataDir, Map.of(), "");
    }

    /** @param a2aYaml more settings of the {@code a2a:} section, as YAML lines indented by two spaces */
    TestGateway(Path dataDir, Map<String, String> env, String a2aYaml) {
        this(dataDir, env, a2aYaml, "a2a-test-" + UUID.randomUUID() + ":");
    }

    TestGateway(Path dataDir, Map<String, String> env, String a2aYaml, String statePrefix) {
        super(dataDir, env, "a2a", a2aYaml, statePrefix, new A2aModule(), "/api/a2a/agents", "agent");
    }
}
