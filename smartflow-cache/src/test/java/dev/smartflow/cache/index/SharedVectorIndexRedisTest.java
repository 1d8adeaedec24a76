package dev.smartflow.cache.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.Ticker;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.VectorIndex;
import dev.smartflow.store.redis.LocalRedis;
import dev.smartflow.store.redis.RedisSharedState;
import dev.smartflow.testkit.Await;
import dev.smartflow.testkit.VectorIndexContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract on the real Redis, and two gateway instances (each with its own connection, as two processes would
 * have) sharing entries through it. Every run uses a key prefix of its own.
 */
class SharedVectorIndexRedisTest extends VectorIndexContract {
    private static final String PREFIX = "smartflow-test:" + UUID.randomUUID() + ":";
    private static LocalRedis redis;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void requireRedis() {
        redis = LocalRedis.require("SharedVectorIndexRedisTest");
    }

    @AfterAll
    static void cleanUp() {
        if (redis != null) {
            redis.deleteKeys(PREFIX);
            redis.close();
        }
    }

    @BeforeEach
    void deleteEarlierKeys() {
        redis.deleteKeys(PREFIX);
    }

    @AfterEach
    void closeInstances() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @Override
    protected VectorIndex create() {
        return gatewayInstance();
    }

    /** An index on a connection of its own, as another gateway process would have. */
    private SharedVectorIndex gatewayInstance() {
        SharedState state = RedisSharedState.connect(LocalRedis.URL, PREFIX, Duration.ofSeconds(5));
        opened.add(state);
        SharedVectorIndex index = new SharedVectorIndex(state, "vindex:", Ticker.system(), Duration.ofSeconds(1));
        opened.add(index);
        return index;
    }

    @Test
    void twoInstancesSeeEachOthersPutsRemovesAndClears() {
        SharedVectorIndex first = gatewayInstance();
        SharedVectorIndex second = gatewayInstance();
        assertEquals(0, second.size("vs:shared"));

        first.put("vs:shared", "a", unit(1, 0, 0), Map.of("file_id", "vf_1"));
        first.put("vs:shared", "b", unit(0, 1, 0), Map.of());
        Await.until(Duration.ofSeconds(5), "the second instance has a and b", () -> second.size("vs:shared") == 2);
        assertEquals(Map.of("file_id", "vf_1"), second.search("vs:shared", unit(1, 0, 0), 1, 0.9).getFirst().tags());

        second.put("vs:shared", "a", unit(0, 0, 1), Map.of("file_id", "vf_2"));
        Await.until(Duration.ofSeconds(5), "the first instance has the new a",
                () -> first.search("vs:shared", unit(0, 0, 1), 1, 0.9).stream().anyMatch(m -> m.id().equals("a")));

        second.remove("vs:shared", "b");
        Await.until(Duration.ofSeconds(5), "the first instance lost b", () -> first.size("vs:shared") == 1);

        first.clear("vs:shared");
        Await.until(Duration.ofSeconds(5), "the second instance is empty", () -> second.size("vs:shared") == 0);
    }

    @Test
    void anInstanceThatStartsLaterLoadsTheStoredEntries() {
        SharedVectorIndex first = gatewayInstance();
        float[][] vectors = new float[300][];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = unit(Math.cos(i), Math.sin(i), i % 7);
            first.put("cache:org:acme", "e" + i, vectors[i], Map.of("n", Integer.toString(i)));
        }
        first.put("cache:org:other", "x", unit(1, 0), Map.of());

        SharedVectorIndex later = gatewayInstance();

        assertEquals(2, later.preload());
        assertEquals(300, later.size("cache:org:acme"));
        assertEquals(1, later.size("cache:org:other"));
        for (int i = 0; i < vectors.length; i += 37) {
            VectorIndex.Match best = later.search("cache:org:acme", vectors[i], 1, -1).getFirst();
            assertEquals("e" + i, best.id());
            assertEquals(Map.of("n", Integer.toString(i)), best.tags());
            assertEquals(1.0, best.score(), 1e-6);
        }
    }

    @Test
    void entriesAreSpreadOverBucketHashesOfCompactValues() {
        SharedVectorIndex first = gatewayInstance();
        float[] vector = new float[384];
        vector[0] = 1;
        for (int i = 0; i < 100; i++) {
            first.put("big", "entry-" + i, vector, Map.of());
        }

        List<String> buckets = redis.admin.sync().keys(PREFIX + "kv:vindex:e:big#*");
        long stored = 0;
        for (String bucket : buckets) {
            stored += redis.admin.sync().hlen(bucket);
            for (String value : redis.admin.sync().hvals(bucket)) {
                assertTrue(value.length() < 2_100, "one entry of 384 floats takes " + value.length() + " bytes");
            }
        }
        assertEquals(100, stored);
        assertTrue(buckets.size() > 10, "100 entries in " + buckets.size() + " buckets");
    }
}
