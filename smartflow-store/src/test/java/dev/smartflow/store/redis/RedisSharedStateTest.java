package dev.smartflow.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.spi.BudgetState;
import dev.smartflow.core.spi.Reservation;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.testkit.SharedStateContract;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract against the real Redis at {@code SMARTFLOW_REDIS_URL} (default {@code redis://127.0.0.1:6379}), each
 * run under a prefix of its own. Skipped, with the reason printed, only when Redis is unreachable and {@code CI} is
 * unset (or {@code false}); under CI an absent Redis fails the run.
 */
class RedisSharedStateTest extends SharedStateContract {
    private static final String URL = LocalRedis.URL;
    private static final String PREFIX = "smartflow-test:" + UUID.randomUUID() + ":";

    private static LocalRedis redis;
    private static StatefulRedisConnection<String, String> admin;
    private static ExecutorService listeners;

    private final List<SharedState> others = new ArrayList<>();

    @BeforeAll
    static void requireRedis() {
        redis = LocalRedis.require("RedisSharedStateTest");
        // the options the state gives a client of its own, with the suite's longer timeout
        redis.client.setOptions(RedisSharedState.clientOptions(Duration.ofSeconds(5)));
        admin = redis.admin;
        listeners = Executors.newSingleThreadExecutor(Thread.ofVirtual().factory());
    }

    @AfterAll
    static void cleanUpAndDisconnect() {
        if (redis != null) {
            redis.deleteKeys(PREFIX);
            redis.close();
            listeners.shutdown();
        }
    }

    @BeforeEach
    void cleanUp() {
        redis.deleteKeys(PREFIX);
    }

    @Override
    protected SharedState create() {
        return RedisSharedState.connect(redis.client, PREFIX, listeners);
    }

    @Override
    protected void advance(Duration duration) {
        try {
            // Redis expires a key when its deadline is strictly in the past; a few milliseconds more make sure.
            Thread.sleep(duration.toMillis() + 5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected Duration timingTolerance() {
        return Duration.ofMillis(250);
    }

    @AfterEach
    void closeGateways() {
        others.forEach(SharedState::close);
    }

    @Test
    void twoGatewaysEnforceOneBudget() throws Exception {
        SharedState other = gateway();

        List<Reservation> reservations = concurrently(i -> (i % 2 == 0 ? state : other).reserve("shared", 10, 1_000));

        assertEquals(100, reservations.stream().filter(Reservation::granted).count());
        assertEquals(new BudgetState(0, 1_000), state.budget("shared"));
        assertEquals(new BudgetState(0, 1_000), other.budget("shared"));
    }

    @Test
    void aReservationMadeByOneGatewayIsSettledByAnother() {
        SharedState other = gateway();
        Reservation reservation = state.reserve("b", 500, 1_000);

        other.settle(reservation, 300);

        assertEquals(new BudgetState(300, 0), state.budget("b"));
    }

    @Test
    void aMessageReachesTheOtherGateway() throws InterruptedException {
        SharedState other = gateway();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        other.subscribe("keys", received::add);

        state.publish("keys", "revoked:abc");

        assertEquals("revoked:abc", received.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void everyKeyLivesUnderThePrefix() {
        state.set("k", "v", Optional.empty());
        state.reserve("b", 1, 10);
        state.hit("w", Duration.ofMinutes(1), 10, 1);

        List<String> keys = admin.sync().keys(PREFIX + "*");

        assertEquals(List.of(PREFIX + "budget:{b}", PREFIX + "budget:{b}:holds", PREFIX + "kv:k",
                PREFIX + "rate:{w}"), keys.stream().sorted().toList());
    }

    @Test
    void scriptsAreSentAgainAfterRedisForgetsThem() {
        admin.sync().scriptFlush();

        Reservation reservation = state.reserve("b", 10, 100);

        assertTrue(reservation.granted());
        assertTrue(admin.sync().scriptExists(Scripts.RESERVE.sha()).getFirst());
    }

    private SharedState gateway() {
        SharedState other = RedisSharedState.connect(URL, PREFIX);
        others.add(other);
        return other;
    }
}
