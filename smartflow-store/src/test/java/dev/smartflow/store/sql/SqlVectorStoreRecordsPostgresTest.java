package dev.smartflow.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.VectorFile;
import dev.smartflow.testkit.Concurrently;
import dev.smartflow.testkit.VectorStoreRecordsContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The vector-store contract against the real PostgreSQL at {@code SMARTFLOW_DATABASE_URL} when that names PostgreSQL
 * (default {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}), in a schema of its own dropped afterwards;
 * skipped as {@link SqlDatabasePostgresTest} is.
 */
class SqlVectorStoreRecordsPostgresTest extends VectorStoreRecordsContract {
    private static final String URL = Optional.ofNullable(System.getenv("SMARTFLOW_DATABASE_URL"))
            .filter(url -> url.startsWith("jdbc:postgresql:"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    private static final String SCHEMA = "sf_test_vs_" + UUID.randomUUID().toString().replace("-", "");

    private static String schemaUrl;

    @BeforeAll
    static void requirePostgres() {
        DriverManager.setLoginTimeout(5);
        try (Connection admin = DriverManager.getConnection(URL); Statement statement = admin.createStatement()) {
            statement.execute("CREATE SCHEMA " + SCHEMA);
        } catch (SQLException e) {
            String reason = "PostgreSQL at " + URL.replaceAll("\\?.*", "") + " is unreachable (" + e.getMessage() + ")";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
                fail(reason + "; CI is set, so the PostgreSQL suite must run");
            }
            System.out.println("SqlVectorStoreRecordsPostgresTest skipped: " + reason);
            Assumptions.abort(reason);
        }
        schemaUrl = URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA;
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        if (schemaUrl != null) {
            try (Connection admin = DriverManager.getConnection(URL); Statement statement = admin.createStatement()) {
                statement.execute("DROP SCHEMA " + SCHEMA + " CASCADE");
            }
        }
    }

    @Override
    protected Database create() {
        SqlDatabase database = SqlDatabase.postgres(schemaUrl);
        database.deleteEverything();
        return database;
    }

    @Test
    void twoGatewaysAddingFilesToOneStoreCountEveryOne() throws Exception {
        records.createStore(store("vs_1", "t", T0));
        try (Database other = SqlDatabase.postgres(schemaUrl)) {
            List<Boolean> added = Concurrently.run(100, i -> (i % 2 == 0 ? records : other.vectorStores())
                    .addFile(VectorFile.started("vf_" + i, "vs_1", "", Map.of(), 1, 1, T0)));

            assertEquals(100, added.stream().filter(Boolean::booleanValue).count());
            assertEquals(100, other.vectorStores().findStore("t", "vs_1").orElseThrow().fileCount());
        }
    }
}
