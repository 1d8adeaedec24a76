package dev.smartflow.compliance.policy;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The real PostgreSQL the suites run against: {@code SMARTFLOW_DATABASE_URL} when that names PostgreSQL, else
 * {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}; each suite in a schema of its own. A suite is skipped,
 * with the reason printed, only when PostgreSQL is unreachable and {@code CI} is unset; under CI it fails.
 */
final class Postgres {
    static final String URL = Optional.ofNullable(System.getenv("SMARTFLOW_DATABASE_URL"))
            .filter(url -> url.startsWith("jdbc:postgresql:"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    private Postgres() {
    }

    /** A new schema for {@code suite}; skips or fails the suite when PostgreSQL is unreachable. */
    static String schema(String suite) {
        String schema = "sf_policy_" + UUID.randomUUID().toString().replace("-", "");
        DriverManager.setLoginTimeout(5);
        try (Connection admin = DriverManager.getConnection(URL); Statement statement = admin.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            String reason = "PostgreSQL is unreachable (" + e.getMessage() + ")";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
                fail(reason + "; CI is set, so " + suite + " must run");
            }
            System.out.println(suite + " skipped: " + reason);
            Assumptions.abort(reason);
        }
        return schema;
    }

    static String url(String schema) {
        return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    static void drop(String schema) throws SQLException {
        if (schema == null) {
            return;
        }
        try (Connection admin = DriverManager.getConnection(URL); Statement statement = admin.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
