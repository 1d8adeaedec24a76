package dev.smartflow.store.sql;

import static org.junit.jupiter.api.Assertions.fail;

import dev.smartflow.core.spi.Database;
import dev.smartflow.testkit.A2aAgentStoreContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The A2A agent store's contract against the real PostgreSQL, as {@link SqlDatabasePostgresTest} finds it, in a schema of
 * its own that is dropped afterwards; skipped (with the reason printed) only when PostgreSQL is unreachable and
 * {@code CI} is unset.
 */
class SqlA2aAgentStorePostgresTest extends A2aAgentStoreContract {
    private static final String URL = Optional.ofNullable(System.getenv("SMARTFLOW_DATABASE_URL"))
            .filter(url -> url.startsWith("jdbc:postgresql:"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    private static final String SCHEMA = "sf_test_a2a_" + UUID.randomUUID().toString().replace("-", "");

    private static String schemaUrl;

    @BeforeAll
    static void requirePostgres() {
        DriverManager.setLoginTimeout(5);
        try (Connection admin = DriverManager.getConnection(URL); Statement statement = admin.createStatement()) {
            statement.execute("CREATE SCHEMA " + SCHEMA);
        } catch (SQLException e) {
            String reason = "PostgreSQL is unreachable (" + e.getMessage() + ")";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
                fail(reason + "; CI is set, so the PostgreSQL suite must run");
            }
            System.out.println("SqlA2aAgentStorePostgresTest skipped: " + reason);
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
}
