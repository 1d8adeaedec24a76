package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.server.testing.RealServers;
import dev.smartflow.testkit.Await;
import dev.smartflow.testkit.TcpProxy;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway whose Redis goes away: a {@link TcpProxy} between it and the real Redis (see {@link RealServers}) is cut,
 * as if Redis stopped, then restored. Budgeted calls are refused with 503 {@code state_unavailable} by default, or
 * served and counted in the instance when budgets and rate limits fail open; readiness follows Redis; calls are
 * served again soon after it returns. The shared Redis is never touched; the keys a test leaves there are deleted.
 */
class RedisOutageTest {
    /** Far above the 500 ms the state waits for Redis; before, a call waited Lettuce's 60 s. */
    private static final Duration PROMPTLY = Duration.ofSeconds(3);
    /** Far above the second the gateway takes to serve again. */
    private static final Duration SOON = Duration.ofSeconds(5);
    /** What each call costs, as {@link BudgetBurstTest} prices it. */
    private static final long COST_MICROS = BudgetBurstTest.COST_MICROS;

    @TempDir
    Path data;
    private TcpProxy proxy;
    private Upstream upstream;
    private Gateway gateway;
    private final List<String> keyIds = new ArrayList<>();

    @BeforeAll
    static void requireRedis() {
        RealServers.requireRedis("RedisOutageTest");
    }

    @BeforeEach
    void relayRedis() throws IOException {
        RedisURI target = RedisURI.create(RealServers.REDIS);
        proxy = TcpProxy.to(target.getHost(), target.getPort());
        upstream = new Upstream();
    }

    @AfterEach
    void stopAll() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        proxy.close();
        keyIds.forEach(RealServers::deleteRedisKeys);
    }

    private void start(Map<String, String> settings) throws IOException {
        RedisURI target = RedisURI.create(RealServers.REDIS);
        Map<String, String> env = new HashMap<>(BudgetBurstTest.pricedEnvironment(data));
        env.put("SMARTFLOW_REDIS_URL", RealServers.REDIS.replace(target.getHost() + ":" + target.getPort(),
                "127.0.0.1:" + proxy.port()));
        env.putAll(settings);
        gateway = new Gateway(upstream, data, env);
    }

    private String key(String body) throws IOException {
        JsonNode key = BudgetBurstTest.createKey(gateway, body);
        keyIds.add(key.path("key_id").asText());
        return key.path("token").asText();
    }

    private Response chat(String token) throws IOException {
        return gateway.post(gateway.proxy("/v1/chat/completions"), BudgetBurstTest.CHAT,
                "authorization", "Bearer " + token);
    }

    private int status(String token) throws IOException {
        try (Response response = chat(token)) {
            return response.code();
        }
    }

    private int readiness() throws IOException {
        try (Response response = gateway.get(gateway.proxy("/health/ready"))) {
            return response.code();
        }
    }

    /** What the key created last has spent this period, as the management API reports it. */
    private BigDecimal spent() throws IOException {
        return BudgetBurstTest.budget(gateway, keyIds.get(keyIds.size() - 1)).path("spent_usd").decimalValue();
    }

    private static BigDecimal usd(long micros) {
        return BigDecimal.valueOf(micros, 6);
    }

    @Test
    void aBudgetedCallIsRefusedWith503WhileRedisIsDownAndServedOnceItReturns() throws Exception {
        // given: a key with a budget, one call served
        start(Map.of());
        String plain = key("{\"name\":\"plain\",\"owner_id\":\"team-a\"}");
        String budgeted = key("{\"name\":\"outage\",\"owner_id\":\"team-a\",\"budget_usd\":1}");
        assertEquals(200, status(budgeted));

        // when: Redis goes away
        proxy.cut();
        Response refused = assertTimeoutPreemptively(PROMPTLY, () -> chat(budgeted));

        // then: a clear 503 in OpenAI's shape that names no address, and nothing went upstream
        try (refused) {
            assertEquals(503, refused.code());
            assertEquals("1", refused.header("retry-after"));
            JsonNode error = Gateway.json(refused).path("error");
            assertEquals("state_unavailable", error.path("code").asText());
            assertEquals("server_error", error.path("type").asText());
            assertTrue(error.path("message").asText().startsWith("shared state is unreachable"), error.toString());
            assertFalse(error.toString().contains(Integer.toString(proxy.port())), error.toString());
        }
        assertEquals(1, upstream.server.getRequestCount());

        // and: readiness says why, liveness stays up, and a key without budget or limits still works
        Await.until(PROMPTLY, "readiness reports the outage", () -> readiness() == 503);
        try (Response ready = gateway.get(gateway.proxy("/health/ready"))) {
            JsonNode body = Gateway.json(ready);
            assertEquals("not_ready", body.path("status").asText());
            assertEquals("shared state unreachable", body.path("reason").asText());
        }
        try (Response live = gateway.get(gateway.proxy("/health"))) {
            assertEquals(200, live.code());
        }
        assertEquals(200, status(plain));

        // when: Redis returns
        proxy.restore();

        // then: ready and serving again soon, and the refused call was never counted
        Await.until(SOON, "readiness reports Redis back", () -> readiness() == 200);
        assertEquals(200, status(budgeted));
        assertEquals(0, usd(2 * COST_MICROS).compareTo(spent()));
        assertEquals(3, upstream.server.getRequestCount());
    }

    @Test
    void failingOpenServesAndCountsInTheInstanceThenHandsTheSpendToRedis() throws Exception {
        // given: budgets and rate limits fail open; a key allowed 3 requests a minute, one used
        start(Map.of("SMARTFLOW_STATE_ON_OUTAGE_BUDGETS", "open", "SMARTFLOW_STATE_ON_OUTAGE_RATE_LIMITS", "open"));
        String token = key("{\"name\":\"open\",\"owner_id\":\"team-a\",\"budget_usd\":1,\"rpm_limit\":3}");
        assertEquals(200, status(token));

        // when: Redis goes away
        proxy.cut();

        // then: calls are served, and limited by this instance's own count
        assertEquals(200, status(token));
        assertEquals(200, status(token));
        assertEquals(200, status(token));
        try (Response limited = chat(token)) {
            assertEquals(429, limited.code());
            assertEquals("rate_limit_error", Gateway.json(limited).path("error").path("type").asText());
        }

        // when: Redis returns
        proxy.restore();
        Await.until(SOON, "readiness reports Redis back", () -> readiness() == 200);

        // then: Redis's window counts what it saw (2 of 3), and its budget holds the calls served meanwhile too
        assertEquals(200, status(token));
        assertEquals(0, usd(5 * COST_MICROS).compareTo(spent()));
        assertEquals(5, upstream.server.getRequestCount());
    }
}
