package dev.smartflow.compliance.policy;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/** The Policy Perfect API on the real PostgreSQL (see {@link Postgres} for where and when it may be skipped). */
class PolicyApiPostgresTest extends PolicyApiContract {
    @TempDir
    static Path dir;
    private static String schema;

    @Override
    protected Map<String, String> database() {
        schema = Postgres.schema(getClass().getSimpleName());
        return Map.of("SMARTFLOW_DATABASE_URL", Postgres.url(schema));
    }

    @Override
    protected Path dataDir() {
        return dir;
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        Postgres.drop(schema);
    }
}
