package dev.smartflow.cache.index;

import static org.junit.jupiter.api.Assertions.fail;

import io.lettuce.core.KeyScanArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Redis at {@code SMARTFLOW_REDIS_URL} (default {@code redis://127.0.0.1:6379}) for suites that share
 * state through it. A suite is skipped, with the reason printed, only when Redis is unreachable and {@code CI} is unset
 * (or {@code false}); under CI an absent Redis fails the run.
 */
final class LocalRedis implements AutoCloseable {
    static final String URL = Optional.ofNullable(System.getenv("SMARTFLOW_REDIS_URL"))
            .orElse("redis://127.0.0.1:6379");

    private final RedisClient client;
    final RedisCommands<String, String> admin;
    private final StatefulRedisConnection<String, String> connection;

    private LocalRedis(RedisClient client, StatefulRedisConnection<String, String> connection) {
        this.client = client;
        this.connection = connection;
        this.admin = connection.sync();
    }

    static LocalRedis require(String suite) {
        RedisURI uri = RedisURI.create(URL);
        uri.setTimeout(Duration.ofSeconds(5));
        RedisClient client = RedisClient.create(uri);
        try {
            StatefulRedisConnection<String, String> connection = client.connect();
            connection.sync().ping();
            return new LocalRedis(client, connection);
        } catch (RedisException e) {
            client.shutdown();
            String reason = "Redis at " + URL + " is unreachable (" + e.getMessage() + ")";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
                fail(reason + "; CI is set, so " + suite + " must run");
            }
            System.out.println(suite + " skipped: " + reason);
            Assumptions.abort(reason);
            throw e;
        }
    }

    /** Deletes every key under {@code prefix}. */
    void deleteKeys(String prefix) {
        KeyScanArgs match = KeyScanArgs.Builder.matches(prefix + "*").limit(500);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = admin.scan(cursor, match);
            if (!page.getKeys().isEmpty()) {
                admin.del(page.getKeys().toArray(String[]::new));
            }
            cursor = page;
        } while (!cursor.isFinished());
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
