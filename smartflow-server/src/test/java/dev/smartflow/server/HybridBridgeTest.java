package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.server.testing.RealServers;
import dev.smartflow.testkit.Await;
import dev.smartflow.testkit.FakeClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hybrid bridge ({@code GET /api/logs/hybrid} on the bridge port): every instance's audit records, published to
 * the shared state, merged by time with the instance id on each, bounded per instance.
 */
class HybridBridgeTest {
    private static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}";

    @TempDir
    Path data;

    private final Upstream upstream = new Upstream();
    private final List<Gateway> gateways = new ArrayList<>();
    private String cluster;

    HybridBridgeTest() throws IOException {
    }

    @AfterEach
    void stop() {
        gateways.forEach(Gateway::close);
        upstream.close();
        if (cluster != null) {
            RealServers.deleteRedisKeys("bridge:" + cluster);
        }
    }

    private Gateway start(String name, String yaml, Map<String, String> env, InstantSource clock)
            throws IOException {
        Path config = Files.writeString(data.resolve(name + ".yaml"), yaml);
        Gateway gateway = new Gateway(upstream, data.resolve(name), Optional.of(config), env, clock, Service.PROXY,
                Service.MANAGEMENT, Service.BRIDGE);
        gateways.add(gateway);
        return gateway;
    }

    private static String call(Gateway gateway) throws IOException {
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT,
                "Authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(200, response.code());
            return response.header("x-smartflow-request-id");
        }
    }

    private static JsonNode hybrid(Gateway gateway, String query) throws IOException {
        try (Response response = gateway.get(gateway.url(Service.BRIDGE, "/api/logs/hybrid" + query),
                "Authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(200, response.code());
            return Gateway.json(response);
        }
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("data").forEach(entry -> ids.add(entry.path("request_id").asText()));
        return ids;
    }

    @Test
    void anInstanceKeepsItsNewestRecordsUpToTheRetention() throws Exception {
        Gateway gateway = start("a", "bridge:\n  instance_id: gw-a\n  retention: 3\n", Map.of(),
                InstantSource.system());
        List<String> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(call(gateway));
        }

        Await.until(Duration.ofSeconds(10), "the bridge holds the last call",
                () -> ids(hybrid(gateway, "")).contains(calls.getLast()));

        JsonNode page = hybrid(gateway, "");
        assertEquals(List.of(calls.get(4), calls.get(3), calls.get(2)), ids(page), "newest first, at most 3");
        page.path("data").forEach(entry -> assertEquals("gw-a", entry.path("instance_id").asText()));
        assertEquals("openai", page.path("data").path(0).path("provider").asText());
        assertEquals(3, page.path("instances").path(0).path("records").asInt());
        assertEquals(List.of(calls.get(4)), ids(hybrid(gateway, "?limit=1")));
        assertTrue(hybrid(gateway, "?limit=1").path("has_more").asBoolean());
        assertEquals(0, hybrid(gateway, "?provider=anthropic").path("data").size());
    }

    @Test
    void twoInstancesOnOneRedisReadOneMergedLog() throws Exception {
        RealServers.requireRedis("HybridBridgeTest");
        cluster = "test-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = Map.of("SMARTFLOW_REDIS_URL", RealServers.REDIS);
        String yaml = "bridge:\n  cluster: " + cluster + "\n  instance_id: %s\n";
        Gateway first = start("first", yaml.formatted("first"), env, InstantSource.system());
        Gateway second = start("second", yaml.formatted("second"), env, InstantSource.system());
        List<String> calls = new ArrayList<>();
        calls.add(call(first));
        calls.add(call(second));
        calls.add(call(first));
        calls.add(call(second));

        Await.until(Duration.ofSeconds(10), "every call reaches the bridge",
                () -> ids(hybrid(second, "")).containsAll(calls));

        JsonNode page = hybrid(first, "");
        List<Instant> times = new ArrayList<>();
        Set<String> instances = new HashSet<>();
        page.path("data").forEach(entry -> {
            times.add(Instant.parse(entry.path("timestamp").asText()));
            instances.add(entry.path("instance_id").asText());
        });
        assertEquals(Set.of("first", "second"), instances);
        for (int i = 1; i < times.size(); i++) {
            assertTrue(!times.get(i).isAfter(times.get(i - 1)), "merged newest first: " + times);
        }
        assertEquals(List.of(calls.get(0), calls.get(2)), ids(hybrid(first, "?instance=first")).reversed());
        assertEquals(2, page.path("instances").size());
    }

    @Test
    void anInstanceSilentForLongerThanTheTtlIsForgotten() throws Exception {
        FakeClock clock = new FakeClock(Instant.parse("2026-11-26T15:00:00Z"));
        Gateway gateway = start("a", "bridge:\n  instance_id: gw-a\n  ttl: 1h\n", Map.of(), clock);
        String id = call(gateway);
        Await.until(Duration.ofSeconds(10), "the call reaches the bridge", () -> ids(hybrid(gateway, "")).contains(id));

        clock.advance(Duration.ofMinutes(61));

        assertEquals(0, hybrid(gateway, "").path("data").size());
    }

    @Test
    void theBridgeNeedsTheMasterKeyAndSaneParameters() throws Exception {
        Gateway gateway = start("a", "bridge:\n  instance_id: gw-a\n", Map.of(), InstantSource.system());
        try (Response response = gateway.get(gateway.url(Service.BRIDGE, "/api/logs/hybrid"))) {
            assertEquals(401, response.code());
        }
        for (String query : List.of("?limit=0", "?limit=10001", "?limit=x", "?since=yesterday", "?provider=%20")) {
            try (Response response = gateway.get(gateway.url(Service.BRIDGE, "/api/logs/hybrid" + query),
                    "Authorization", "Bearer " + Gateway.MASTER)) {
                assertEquals(400, response.code(), query);
            }
        }
    }

    @Test
    void badBridgeSettingsStopTheStartWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> start("bad", "bridge:\n  retention: -1\n", Map.of(), InstantSource.system()));
        assertTrue(e.getMessage().contains("bridge.retention"), e.getMessage());
    }
}
