package dev.smartflow.compliance.policy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The Policy Perfect API on the embedded H2 database in the server's data directory. */
class PolicyApiH2Test extends PolicyApiContract {
    @TempDir
    static Path dir;

    @Override
    protected Map<String, String> database() {
        return Map.of();
    }

    @Override
    protected Path dataDir() {
        return dir;
    }
}
