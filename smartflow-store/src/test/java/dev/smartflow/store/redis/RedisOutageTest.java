package dev.smartflow.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.error.StateUnavailable;
import dev.smartflow.testkit.Await;
import dev.smartflow.testkit.TcpProxy;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisSharedState} with its default settings while Redis goes away: a {@link TcpProxy} sits between it and the
 * real Redis (see {@link LocalRedis}) and is cut (connections dropped and refused, as by a stopped Redis) or stalled
 * (nothing answers, as from a hung Redis or a broken network). The shared Redis itself is never touched; keys live
 * under a prefix of this run.
 */
class RedisOutageTest {
    /** Far above the state's 500 ms timeout; Lettuce's own default would wait 60 s. */
    private static final Duration PROMPTLY = Duration.ofSeconds(3);
    /** Far above the second the state takes to serve again; Lettuce's own reconnect delays grow to 30 s. */
    private static final Duration SOON = Duration.ofSeconds(5);
    private static final String PREFIX = "smartflow-test:" + UUID.randomUUID() + ":";

    private static LocalRedis redis;

    private TcpProxy proxy;
    private RedisSharedState state;

    @BeforeAll
    static void requireRedis() {
        redis = LocalRedis.require("RedisOutageTest");
    }

    @AfterAll
    static void disconnect() {
        if (redis != null) {
            redis.deleteKeys(PREFIX);
            redis.close();
        }
    }

    @BeforeEach
    void connectThroughTheProxy() {
        RedisURI target = RedisURI.create(LocalRedis.URL);
        proxy = TcpProxy.to(target.getHost(), target.getPort());
        state = RedisSharedState.connect(LocalRedis.URL.replace(target.getHost() + ":" + target.getPort(),
                "127.0.0.1:" + proxy.port()), PREFIX);
    }

    @AfterEach
    void closeAll() {
        state.close();
        proxy.close();
    }

    @Test
    void aCallWhileRedisIsDownFailsAtOnceWithStateUnavailable() {
        // given
        proxy.cut();

        // when
        StateUnavailable failure = assertTimeoutPreemptively(PROMPTLY,
                () -> assertThrows(StateUnavailable.class, () -> state.increment("down", 1, Optional.empty())));

        // then: a 503 that names no address
        assertEquals(503, failure.status());
        assertTrue(failure.getMessage().startsWith("shared state is unreachable"), failure.getMessage());
        assertFalse(failure.getMessage().contains(Integer.toString(proxy.port())), failure.getMessage());
    }

    @Test
    void aCallRedisDoesNotAnswerFailsAfterTheTimeout() {
        // given
        proxy.stall();

        // when
        StateUnavailable failure = assertTimeoutPreemptively(PROMPTLY,
                () -> assertThrows(StateUnavailable.class, () -> state.increment("stalled", 1, Optional.empty())));

        // then
        assertTrue(failure.getMessage().contains("did not answer within 500ms"), failure.getMessage());
    }

    @Test
    void aCallRefusedDuringAnOutageIsNeverExecutedOnceRedisReturns() {
        // given: a call that failed while Redis was down
        proxy.cut();
        assertThrows(StateUnavailable.class, () -> state.increment("refused", 1, Optional.empty()));

        // when: Redis returns, and the state serves again
        proxy.restore();
        Await.until(SOON, "the state serves again", () -> state.get("anything").isEmpty());

        // then: the refused increment never reached Redis
        assertNull(redis.admin.sync().get(PREFIX + "kv:refused"));
        assertEquals(1, state.increment("refused", 1, Optional.empty()));
    }

    @Test
    void aCallInFlightWhenTheConnectionDropsFailsAndIsNotSentAgain() throws Exception {
        // given: an increment on its way, which Redis has not seen
        proxy.stall();
        CompletableFuture<Long> call = CompletableFuture.supplyAsync(
                () -> state.increment("in-flight", 1, Optional.empty()));
        Await.until(PROMPTLY, "the increment reached the relay", () -> proxy.swallowed() > 0);

        // when: the connection drops under it
        proxy.cut();

        // then: the caller hears of it at once (not after Lettuce's reconnect)
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> call.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS));
        assertInstanceOf(StateUnavailable.class, failure.getCause());

        // and: once Redis is back, the increment was not replayed
        proxy.restore();
        Await.until(SOON, "the state serves again", () -> state.get("anything").isEmpty());
        assertNull(redis.admin.sync().get(PREFIX + "kv:in-flight"));
    }

    @Test
    void callsSucceedAgainSoonAfterRedisReturns() {
        // given
        proxy.cut();
        assertThrows(StateUnavailable.class, () -> state.increment("after", 1, Optional.empty()));

        // when
        proxy.restore();

        // then: the first increment that does not fail is the only one Redis counts
        Await.until(SOON, "an increment succeeds", () -> state.increment("after", 1, Optional.empty()) > 0);
        assertEquals("1", redis.admin.sync().get(PREFIX + "kv:after"));
    }

    @Test
    void reachableFollowsTheOutageWithoutBlocking() {
        // given
        assertTrue(state.reachable());

        // when / then
        proxy.cut();
        Await.until(PROMPTLY, "the state reports Redis unreachable", () -> !state.reachable());
        proxy.restore();
        Await.until(SOON, "the state reports Redis reachable", state::reachable);
        assertEquals(Optional.empty(), state.get("anything"));
    }

    @Test
    void aRedisThatStopsAnsweringIsReportedUnreachableWithoutAnyCall() {
        // when: nothing answers, though the connection stays up
        proxy.stall();

        // then: readiness checks alone find out, by a ping of their own in the background
        Await.until(SOON, "the state reports Redis unreachable", () -> !state.reachable());
        proxy.restore();
        Await.until(SOON, "the state reports Redis reachable", state::reachable);
    }

    @Test
    void subscriptionsResumeWhenRedisReturns() {
        // given
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        state.subscribe("keys", received::add);

        // when
        proxy.cut();
        Await.until(PROMPTLY, "the state reports Redis unreachable", () -> !state.reachable());
        proxy.restore();

        // then: a message published once Redis is back arrives
        Await.until(SOON, "a message arrives", () -> {
            redis.admin.sync().publish(PREFIX + "channel:keys", "revoked");
            return "revoked".equals(received.poll(100, TimeUnit.MILLISECONDS));
        });
    }
}
