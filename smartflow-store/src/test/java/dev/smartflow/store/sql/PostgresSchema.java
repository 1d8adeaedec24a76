package dev.smartflow.store.sql;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A schema of its own on the real PostgreSQL, for one suite: the server is {@code SMARTFLOW_DATABASE_URL} when that
 * names PostgreSQL (default {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}). When PostgreSQL is
 * unreachable the suite is skipped with the reason printed, unless {@code CI} is set (and not {@code false}): then an
 * absent PostgreSQL fails the run, so CI can never pass by skipping.
 */
record PostgresSchema(String name, String url) {
    static final String SERVER = Optional.ofNullable(System.getenv("SMARTFLOW_DATABASE_URL"))
            .filter(url -> url.startsWith("jdbc:postgresql:"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    /** Creates a fresh schema for {@code suite}, or skips the suite as the class comment says. */
    static PostgresSchema createOrSkip(Class<?> suite) {
        String name = "sf_test_" + UUID.randomUUID().toString().replace("-", "");
        DriverManager.setLoginTimeout(5);
        try {
            return create(name);
        } catch (SQLException e) {
            String reason = "PostgreSQL at " + SERVER.replaceAll("\\?.*", "") + " is unreachable (" + e.getMessage()
                    + ")";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
                fail(reason + "; CI is set, so the PostgreSQL suite must run");
            }
            System.out.println(suite.getSimpleName() + " skipped: " + reason);
            Assumptions.abort(reason);
            throw new AssertionError(reason);
        }
    }

    static PostgresSchema create(String name) throws SQLException {
        execute("CREATE SCHEMA " + name);
        return new PostgresSchema(name, SERVER + (SERVER.contains("?") ? "&" : "?") + "currentSchema=" + name);
    }

    /** Drops the schema and everything in it; {@code schema} may be null when the suite was skipped. */
    static void drop(PostgresSchema schema) throws SQLException {
        if (schema != null) {
            execute("DROP SCHEMA " + schema.name() + " CASCADE");
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection admin = DriverManager.getConnection(SERVER); Statement statement = admin.createStatement()) {
            statement.execute(sql);
        }
    }
}
