package dev.smartflow.cache.metacache;

import static dev.smartflow.cache.metacache.Harness.chat;
import static dev.smartflow.cache.metacache.Harness.content;
import static dev.smartflow.cache.metacache.Harness.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.smartflow.cache.index.SharedVectorIndex;
import dev.smartflow.core.Ticker;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.store.redis.RedisSharedState;
import dev.smartflow.testkit.Await;
import dev.smartflow.testkit.FakeClock;
import io.lettuce.core.KeyScanArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two MetaCache instances on the real Redis (a key prefix of this run's own, deleted afterwards), each with its own
 * memory, sharing L3, the vector index (L2), the statistics and clears. Skipped, with the reason printed, only when
 * Redis is unreachable and {@code CI} is unset.
 */
class MetaCacheRedisTest {
    private static final String URL = Optional.ofNullable(System.getenv("SMARTFLOW_REDIS_URL"))
            .orElse("redis://127.0.0.1:6379");
    private final String prefix = "smartflow-test:metacache:" + UUID.randomUUID() + ":";
    private SharedState firstState;
    private SharedState secondState;
    private SharedVectorIndex firstIndex;
    private SharedVectorIndex secondIndex;
    private Harness first;
    private Harness second;

    @BeforeEach
    void start() throws Exception {
        requireRedis();
        FakeClock clock = new FakeClock();
        firstState = RedisSharedState.connect(URL, prefix, Duration.ofSeconds(5));
        secondState = RedisSharedState.connect(URL, prefix, Duration.ofSeconds(5));
        firstIndex = new SharedVectorIndex(firstState, "vindex:", Ticker.system(), Duration.ZERO);
        secondIndex = new SharedVectorIndex(secondState, "vindex:", Ticker.system(), Duration.ZERO);
        first = new Harness(CacheSettings.DEFAULTS, firstState, firstIndex, new FakeUpstream(), clock);
        second = new Harness(CacheSettings.DEFAULTS, secondState, secondIndex, new FakeUpstream(), clock);
    }

    @AfterEach
    void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {first, second, firstIndex, secondIndex, firstState,
            secondState}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                System.out.println("closing " + closeable + " failed: " + e);
            }
        }
        deleteKeys();
    }

    @Test
    void anAnswerOneInstanceStoredIsFoundByTheOtherExactlyAndByMeaning() {
        first.call(chat("How do I reset my password?"));

        Response exact = second.call(chat("How do I reset my password?"));
        Response paraphrase = second.call(chat("How can I reset my password please?"));

        assertEquals("l3", header(exact, CacheStage.TIER));
        assertEquals("l2", header(paraphrase, CacheStage.TIER));
        assertEquals("answer to: How do I reset my password?", content(paraphrase));
        assertEquals(0, second.upstream.calls.get());
    }

    @Test
    void statisticsAndEntriesAreTheSameFromEitherInstance() {
        first.call(chat("What is the speed of sound?"));
        second.call(chat("What is the speed of sound?"));
        second.call(chat("What is the speed of sound?"));

        first.cache.stats();
        CacheStats stats = second.cache.stats();

        assertEquals(2, stats.hits());
        assertEquals(1, stats.misses());
        assertEquals(1, stats.l3Hits());
        assertEquals(1, stats.l1Hits());
        assertEquals(1, stats.entries());
        assertEquals(stats, first.cache.stats());
    }

    @Test
    void aClearOnOneInstanceEmptiesTheOthersMemoryToo() {
        first.call(chat("Forget me"), "x-smartflow-cache-namespace", "tmp");
        assertEquals("l3", header(second.call(chat("Forget me"), "x-smartflow-cache-namespace", "tmp"),
                CacheStage.TIER));
        assertEquals("l1", header(second.call(chat("Forget me"), "x-smartflow-cache-namespace", "tmp"),
                CacheStage.TIER));

        assertTrue(first.cache.clear("tmp") >= 1);

        Await.until(Duration.ofSeconds(10), "the clear reaches the other instance", () -> second.cache.tiersForTest()
                .localSize() == 0);
        assertEquals("false", header(second.call(chat("Forget me"), "x-smartflow-cache-namespace", "tmp"),
                CacheStage.HIT));
    }

    private static void requireRedis() {
        RedisURI uri = RedisURI.create(URL);
        uri.setTimeout(Duration.ofSeconds(5));
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().ping();
        } catch (RedisException e) {
            String reason = "Redis at " + URL + " is unreachable (" + e.getMessage() + ")";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
                fail(reason + "; CI is set, so MetaCacheRedisTest must run");
            }
            System.out.println("MetaCacheRedisTest skipped: " + reason);
            Assumptions.abort(reason);
        } finally {
            client.shutdown();
        }
    }

    private void deleteKeys() {
        RedisURI uri = RedisURI.create(URL);
        uri.setTimeout(Duration.ofSeconds(5));
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            KeyScanArgs match = KeyScanArgs.Builder.matches(prefix + "*").limit(500);
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
}
