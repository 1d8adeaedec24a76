package dev.smartflow.server.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.lettuce.core.KeyScanArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The real PostgreSQL and Redis the end-to-end suites run against, as the store suites find them: PostgreSQL at
 * {@code SMARTFLOW_DATABASE_URL} when that names PostgreSQL (default
 * {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}), Redis at {@code SMARTFLOW_REDIS_URL} (default
 * {@code redis://127.0.0.1:6379}). A suite that needs one is skipped, with the reason printed, only when it is
 * unreachable and {@code CI} is unset (or {@code false}); under CI an absent server fails the run.
 */
public class RealServers {
    public static final String POSTGRES = Optional.ofNullable(System.getenv("SMARTFLOW_DATABASE_URL"))
            .filter(url -> url.startsWith("jdbc:postgresql:"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    public static final String REDIS = Optional.ofNullable(System.getenv("SMARTFLOW_REDIS_URL"))
            .orElse("redis://127.0.0.1:6379");

    protected RealServers() {
    }

    /** Creates a schema of its own for {@code suite} and returns its name; skips or fails as the class says. */
    public static String postgresSchema(String suite) {
        String schema = "sf_e2e_" + UUID.randomUUID().toString().replace("-", "");
        DriverManager.setLoginTimeout(5);
        try (Connection admin = DriverManager.getConnection(POSTGRES); Statement statement = admin.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            absent(suite, "PostgreSQL at " + withoutParameters(POSTGRES) + " is unreachable (" + e.getMessage() + ")");
        }
        return schema;
    }

    public static String postgresUrl(String schema) {
        return postgresUrl(schema, "smartflow-test");
    }

    /** The URL of {@code schema}, its connections named {@code application} in {@code pg_stat_activity}. */
    public static String postgresUrl(String schema, String application) {
        return POSTGRES + (POSTGRES.contains("?") ? "&" : "?") + "currentSchema=" + schema + "&ApplicationName="
                + application;
    }

    public static Connection postgres(String schema) throws SQLException {
        return DriverManager.getConnection(postgresUrl(schema, "smartflow-test-admin"));
    }

    public static void dropSchema(String schema) throws SQLException {
        if (schema == null) {
            return;
        }
        try (Connection admin = DriverManager.getConnection(POSTGRES); Statement statement = admin.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /** Checks that Redis answers; skips or fails as the class says. */
    public static void requireRedis(String suite) {
        RedisClient client = null;
        try {
            client = client();
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                connection.sync().ping();
            }
        } catch (RedisException e) {
            absent(suite, "Redis at " + REDIS + " is unreachable (" + e.getMessage() + ")");
        } finally {
            if (client != null) {
                client.shutdown();
            }
        }
    }

    /** Deletes the gateway's Redis keys (prefix {@code smartflow:}) that contain {@code fragment}, e.g. a key id. */
    public static void deleteRedisKeys(String fragment) {
        RedisClient client = client();
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            KeyScanArgs match = KeyScanArgs.Builder.matches("smartflow:*" + fragment + "*").limit(500);
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = connection.sync().scan(cursor, match);
                if (!page.getKeys().isEmpty()) {
                    connection.sync().del(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown();
        }
    }

    private static RedisClient client() {
        RedisURI uri = RedisURI.create(REDIS);
        uri.setTimeout(Duration.ofSeconds(5));
        return RedisClient.create(uri);
    }

    private static void absent(String suite, String reason) {
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            fail(reason + "; CI is set, so " + suite + " must run");
        }
        System.out.println(suite + " skipped: " + reason);
        Assumptions.abort(reason);
    }

    private static String withoutParameters(String url) {
        int at = url.indexOf('?');
        return at < 0 ? url : url.substring(0, at);
    }
}
