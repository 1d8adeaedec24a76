package dev.smartflow.server.testing;

import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real Redis and PostgreSQL that several gateway instances of one test share, as a JUnit extension: both
 * required (skipped or failed as {@link RealServers} says), a PostgreSQL schema for the suite dropped after it, and
 * per test a shared-state prefix of its own whose Redis keys are deleted after it. A suite declares it
 * {@code @RegisterExtension static final SharedServers SHARED = new SharedServers("mcp-test-");} and starts each
 * instance with {@link #env()} and {@link #prefix()}.
 */
public final class SharedServers implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private final String prefixStart;
    private String schema;
    private String prefix;

    public SharedServers(String prefixStart) {
        this.prefixStart = prefixStart;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        String suite = context.getRequiredTestClass().getSimpleName();
        RealServers.requireRedis(suite);
        schema = RealServers.postgresSchema(suite);
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        RealServers.dropSchema(schema);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        prefix = prefixStart + UUID.randomUUID() + ":";
    }

    @Override
    public void afterEach(ExtensionContext context) {
        RealServers.deleteRedisKeys(prefix);
    }

    /** The environment of a gateway on the shared Redis and the suite's schema. */
    public Map<String, String> env() {
        return Map.of("SMARTFLOW_REDIS_URL", RealServers.REDIS,
                "SMARTFLOW_DATABASE_URL", RealServers.postgresUrl(schema));
    }

    /** This test's shared-state prefix: instances started with it share their state. */
    public String prefix() {
        return prefix;
    }
}
