package dev.smartflow.a2a;

import static org.junit.jupiter.api.Assertions.fail;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The real PostgreSQL ({@code SMARTFLOW_DATABASE_URL}, default the local {@code test} database) and Redis
 * ({@code SMARTFLOW_REDIS_URL}, default the local server) that the multi-instance tests share. A test that needs one
 * is skipped, with the reason printed, only when it is unreachable and {@code CI} is unset.
 */
final class RealServers {
    static final String POSTGRES = Optional.ofNullable(System.getenv("SMARTFLOW_DATABASE_URL"))
            .filter(url -> url.startsWith("jdbc:postgresql:"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    static final String REDIS = Optional.ofNullable(System.getenv("SMARTFLOW_REDIS_URL"))
            .orElse("redis://127.0.0.1:6379");

    private RealServers() {
    }

    /** A schema of the suite's own; its name. */
    static String postgresSchema(String suite) {
        String schema = "sf_mcp_" + UUID.randomUUID().toString().replace("-", "");
        DriverManager.setLoginTimeout(5);
        try (Connection admin = DriverManager.getConnection(POSTGRES); Statement statement = admin.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            absent(suite, "PostgreSQL is unreachable (" + e.getMessage() + ")");
        }
        return schema;
    }

    static String postgresUrl(String schema) {
        return POSTGRES + (POSTGRES.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    static void dropSchema(String schema) throws SQLException {
        if (schema == null) {
            return;
        }
        try (Connection admin = DriverManager.getConnection(POSTGRES); Statement statement = admin.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    static void requireRedis(String suite) {
        RedisURI uri = RedisURI.create(REDIS);
        uri.setTimeout(Duration.ofSeconds(5));
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().ping();
        } catch (RedisException e) {
            absent(suite, "Redis at " + REDIS + " is unreachable (" + e.getMessage() + ")");
        } finally {
            client.shutdown();
        }
    }

    /** Deletes the Redis keys under the gateway's prefix that start with {@code statePrefix}. */
    static void deleteRedisKeys(String statePrefix) {
        RedisClient client = RedisClient.create(REDIS);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            List<String> keys = connection.sync().keys("smartflow:" + statePrefix + "*");
            if (!keys.isEmpty()) {
                connection.sync().del(keys.toArray(String[]::new));
            }
        } finally {
            client.shutdown();
        }
    }

    private static void absent(String suite, String reason) {
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            fail(reason + "; CI is set, so " + suite + " must run");
        }
        System.out.println(suite + " skipped: " + reason);
        Assumptions.abort(reason);
    }
}
