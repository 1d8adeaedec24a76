package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.server.testing.RealServers;
import dev.smartflow.testkit.Await;
import dev.smartflow.testkit.FakeClock;
import dev.smartflow.testkit.TcpProxy;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/health/comprehensive}: the SDK guide's {@code SystemHealth}, from the instance's real state. */
class HealthComprehensiveTest {
    @TempDir
    Path data;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-11-26T15:00:00Z"));
    private final Upstream upstream = new Upstream();
    private Gateway gateway;

    HealthComprehensiveTest() throws IOException {
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private JsonNode health() throws IOException {
        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, "/api/health/comprehensive"),
                "Authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(200, response.code());
            return Gateway.json(response);
        }
    }

    @Test
    void aFreshInstanceIsHealthyAndReportsItsParts() throws Exception {
        gateway = new Gateway(upstream, data, Optional.empty(), Map.of(), clock);
        clock.advance(Duration.ofSeconds(90));

        JsonNode health = health();

        assertEquals("healthy", health.path("status").asText());
        assertEquals(90, health.path("uptime_seconds").asLong());
        assertTrue(health.path("version").asText().matches("\\d+\\.\\d+\\.\\d+.*"), health.path("version").asText());
        assertFalse(health.path("redis_connected").asBoolean());
        assertEquals("memory", health.path("shared_state").asText());
        assertTrue(health.path("database_connected").asBoolean());
        assertTrue(health.path("providers_available").toString().contains("\"openai\""));
        assertEquals("healthy", health.path("providers").path("openai").path("status").asText());
        assertFalse(health.path("cache").path("enabled").asBoolean(), "no cache module in this build");
        assertEquals("2026-11-26T15:01:30Z", health.path("timestamp").asText());
    }

    @Test
    void todaysCallsAndCacheHitsAreCounted() throws Exception {
        gateway = new Gateway(upstream, data, Optional.empty(), Map.of(), clock);
        try (Response call = gateway.post(gateway.proxy("/v1/chat/completions"),
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "Authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(200, call.code());
        }
        Await.until(Duration.ofSeconds(10), "the call is audited",
                () -> health().path("cache").path("requests_today").asLong() == 1);

        assertEquals(0, health().path("cache").path("hits_today").asLong());
    }

    @Test
    void aFailingProviderMakesTheInstanceDegraded() throws Exception {
        gateway = new Gateway(upstream, data, Optional.empty(), Map.of(), clock);
        upstream.answer("/v1/chat/completions", Upstream.json(500, "{\"error\":{\"message\":\"down\"}}"));
        for (int i = 0; i < 6; i++) {
            try (Response call = gateway.post(gateway.proxy("/v1/chat/completions"),
                    "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    "Authorization", "Bearer " + Gateway.MASTER)) {
                assertEquals(502, call.code());
            }
        }

        JsonNode health = health();

        assertEquals("degraded", health.path("status").asText());
        assertEquals("unhealthy", health.path("providers").path("openai").path("status").asText());
    }

    @Test
    void redisGoingAwayMakesTheInstanceUnhealthy() throws Exception {
        RealServers.requireRedis("HealthComprehensiveTest");
        RedisURI target = RedisURI.create(RealServers.REDIS);
        try (TcpProxy proxy = TcpProxy.to(target.getHost(), target.getPort())) {
            gateway = new Gateway(upstream, data, Optional.empty(), Map.of("SMARTFLOW_REDIS_URL",
                    RealServers.REDIS.replace(target.getHost() + ":" + target.getPort(), "127.0.0.1:" + proxy.port())),
                    clock);
            JsonNode before = health();
            assertTrue(before.path("redis_connected").asBoolean());
            assertEquals("redis", before.path("shared_state").asText());
            // other suites share this Redis and its provider health, so only "not unhealthy" is certain here
            assertFalse(before.path("status").asText().equals("unhealthy"), before.toString());

            proxy.cut();

            Await.until(Duration.ofSeconds(10), "the instance reports Redis gone",
                    () -> !health().path("redis_connected").asBoolean());
            assertEquals("unhealthy", health().path("status").asText());
        }
    }

    @Test
    void theReportNeedsTheMasterKey() throws Exception {
        gateway = new Gateway(upstream, data, Optional.empty(), Map.of(), clock);
        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, "/api/health/comprehensive"))) {
            assertEquals(401, response.code());
        }
    }
}
