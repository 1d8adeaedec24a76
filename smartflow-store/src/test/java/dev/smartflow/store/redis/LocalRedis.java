package dev.smartflow.store.redis;

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
 * The real Redis the suites run against, at {@code SMARTFLOW_REDIS_URL} (default {@code redis://127.0.0.1:6379}), and
 * a client of the suite's own to check and clean up what it wrote. A suite is skipped, with the reason printed, only
 * when Redis is unreachable and {@code CI} is unset (or {@code false}); under CI an absent Redis fails the run.
 */
public final class LocalRedis implements AutoCloseable {
    public static final String URL = Optional.ofNullable(System.getenv("SMARTFLOW_REDIS_URL"))
            .orElse("redis://127.0.0.1:6379");

    public final RedisClient client;
    public final StatefulRedisConnection<String, String> admin;

    private LocalRedis(RedisClient client, StatefulRedisConnection<String, String> admin) {
        this.client = client;
        this.admin = admin;
    }

    /** Connects, with a timeout long enough for the suite's own checks; skips or fails {@code suite} as above. */
    public static LocalRedis require(String suite) {
        RedisURI uri = RedisURI.create(URL);
        uri.setTimeout(Duration.ofSeconds(5));
        RedisClient client = RedisClient.create(uri);
        try {
            StatefulRedisConnection<String, String> admin = client.connect();
            admin.sync().ping();
            return new LocalRedis(client, admin);
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
    public void deleteKeys(String prefix) {
        RedisCommands<String, String> redis = admin.sync();
        KeyScanArgs match = KeyScanArgs.Builder.matches(prefix + "*").limit(500);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, match);
            if (!page.getKeys().isEmpty()) {
                redis.del(page.getKeys().toArray(String[]::new));
            }
            cursor = page;
        } while (!cursor.isFinished());
    }

    @Override
    public void close() {
        admin.close();
        client.shutdown();
    }
}
