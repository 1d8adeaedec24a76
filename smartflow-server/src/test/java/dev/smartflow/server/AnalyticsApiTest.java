package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.KeyId;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class AnalyticsApiTest extends GatewayTest {
    private static final String MASTER = "Bearer " + Gateway.MASTER;
    private static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");

    @Test
    void aRangeOfDatesReportsEveryFigureWithCostInUsdAndLatencyInMilliseconds() throws Exception {
        // given: five requests on 1 and 2 November, one just before and one just after
        seed(call("r1", NOV_1.plusSeconds(3_600), "openai", "gpt-4o").keyId(KeyId.of("key_a")).userId("alice")
                        .tokens(100, 50).costMicros(1_500).latencyMicros(120_000).build(),
                call("r2", NOV_1.plusSeconds(7_200), "openai", "gpt-4o").keyId(KeyId.of("key_a")).userId("alice")
                        .tokens(200, 20).costMicros(2_500).latencyMicros(80_000).cacheHit("exact").build(),
                call("r3", NOV_1.plusSeconds(10_800), "anthropic", "claude-3-5-haiku").keyId(KeyId.of("key_b"))
                        .tokens(300, 30).costMicros(12_000_000).latencyMicros(400_500).build(),
                call("r4", NOV_1.plus(Duration.ofDays(1)), "openai", "gpt-4o-mini").userId("bob")
                        .failed(502, "upstream_error").latencyMicros(30_000).build(),
                call("r5", NOV_1.plus(Duration.ofDays(2)).minusNanos(1_000), "openai", "gpt-4o-mini")
                        .keyId(KeyId.of("key_b")).tokens(10, 10).costMicros(7).latencyMicros(1_000).build(),
                call("before", NOV_1.minusNanos(1_000), "openai", "gpt-4o").costMicros(99).build(),
                call("after", NOV_1.plus(Duration.ofDays(2)), "openai", "gpt-4o").costMicros(99).build());

        // when: end_date is a day, so the whole of 2 November counts
        String body;
        try (Response response = analytics("?start_date=2026-11-01&end_date=2026-11-02", "authorization", MASTER)) {
            assertEquals(200, response.code());
            body = response.body().string();
        }

        // then
        JsonNode json = Gateway.JSON.readTree(body);
        assertEquals("analytics", json.path("object").asText());
        assertEquals("2026-11-01T00:00:00Z", json.path("start").asText());
        assertEquals("2026-11-03T00:00:00Z", json.path("end").asText());
        assertEquals(5, json.path("requests").asLong());
        assertEquals(1, json.path("errors").asLong());
        assertEquals(0.2, json.path("error_rate").asDouble());
        assertEquals(1, json.path("cached").asLong());
        assertEquals(0.2, json.path("cache_hit_rate").asDouble());
        assertEquals(610, json.path("prompt_tokens").asLong());
        assertEquals(110, json.path("completion_tokens").asLong());
        assertEquals(720, json.path("total_tokens").asLong());
        assertEquals(12.004007, json.path("cost_usd").asDouble());
        // money keeps six decimals and plain notation, latency three
        assertTrue(body.contains("\"cost_usd\":12.004007,"), body);
        assertTrue(body.contains("\"cost_usd\":12.000000"), body);
        assertTrue(body.contains("\"p50\":80.000"), body);
        // latencies 1, 30, 80, 120, 400.5 ms: nearest ranks 3, 5, 5, 5
        assertEquals(80.0, json.at("/latency_ms/p50").asDouble());
        assertEquals(400.5, json.at("/latency_ms/p90").asDouble());
        assertEquals(400.5, json.at("/latency_ms/p95").asDouble());
        assertEquals(400.5, json.at("/latency_ms/p99").asDouble());

        JsonNode providers = json.path("by_provider");
        assertEquals(2, providers.size());
        assertEquals("anthropic", providers.at("/0/provider").asText());
        assertEquals(12.0, providers.at("/0/cost_usd").asDouble());
        assertEquals("openai", providers.at("/1/provider").asText());
        assertEquals(4, providers.at("/1/requests").asLong());
        assertEquals(1, providers.at("/1/errors").asLong());
        assertEquals(1, providers.at("/1/cached").asLong());
        assertEquals(310, providers.at("/1/prompt_tokens").asLong());
        assertEquals(80, providers.at("/1/completion_tokens").asLong());
        assertEquals(0.004007, providers.at("/1/cost_usd").asDouble());

        assertEquals(List.of("claude-3-5-haiku", "gpt-4o", "gpt-4o-mini"), names(json.path("by_model"), "model"));
        assertEquals(0.004, json.at("/by_model/1/cost_usd").asDouble());
        // gpt-4o and gpt-4o-mini both have 2 requests: gpt-4o costs more
        assertEquals(List.of("gpt-4o", "gpt-4o-mini", "claude-3-5-haiku"), names(json.path("top_models"), "model"));
        assertEquals("openai", json.at("/top_models/0/provider").asText());

        assertEquals(List.of("key_b", "key_a"), names(json.path("top_keys"), "key_id"));
        assertEquals(2, json.at("/top_keys/0/requests").asLong());
        assertEquals(12.000007, json.at("/top_keys/0/cost_usd").asDouble());
        assertEquals(List.of("alice", "bob"), names(json.path("top_users"), "user_id"));
        assertEquals(0.004, json.at("/top_users/0/cost_usd").asDouble());

        JsonNode daily = json.path("daily");
        assertEquals(2, daily.size());
        assertEquals("2026-11-01", daily.at("/0/date").asText());
        assertEquals(3, daily.at("/0/requests").asLong());
        assertEquals(12.004, daily.at("/0/cost_usd").asDouble());
        assertEquals("2026-11-02", daily.at("/1/date").asText());
        assertEquals(2, daily.at("/1/requests").asLong());
        assertEquals(1, daily.at("/1/errors").asLong());
    }

    @Test
    void instantsBoundTheRangeFromInclusiveToExclusive() throws Exception {
        // given
        Instant ten = Instant.parse("2026-11-01T10:00:00Z");
        seed(call("r1", ten, "openai", "gpt-4o").build(),
                call("r2", ten.plusSeconds(1), "openai", "gpt-4o").build(),
                call("r3", ten.plusSeconds(2), "openai", "gpt-4o").build());

        // when
        JsonNode json = ok("?start_date=2026-11-01T10:00:00Z&end_date=2026-11-01T12:00:02%2B02:00");

        // then: 12:00:02+02:00 is 10:00:02Z, which is excluded
        assertEquals(2, json.path("requests").asLong());
        assertEquals("2026-11-01T10:00:02Z", json.path("end").asText());
    }

    @Test
    void withoutDatesTheRangeIsTheLastSevenDays() throws Exception {
        // given
        Instant now = Instant.now();
        seed(call("in", now.minus(Duration.ofDays(1)), "openai", "gpt-4o").build(),
                call("old", now.minus(Duration.ofDays(8)), "openai", "gpt-4o").build(),
                call("future", now.plus(Duration.ofHours(1)), "openai", "gpt-4o").build());

        // when
        JsonNode json = ok("");

        // then
        assertEquals(1, json.path("requests").asLong());
        Instant start = Instant.parse(json.path("start").asText());
        Instant end = Instant.parse(json.path("end").asText());
        assertEquals(Duration.ofDays(7), Duration.between(start, end));
        assertTrue(!end.isBefore(now.truncatedTo(ChronoUnit.MICROS)) && end.isBefore(now.plusSeconds(60)), end + "");
    }

    @Test
    void onlyAStartRunsToNowAndOnlyAnEndGoesBackSevenDays() throws Exception {
        // given
        seed(call("r1", Instant.parse("2020-10-29T12:00:00Z"), "openai", "gpt-4o").build(),
                call("r2", Instant.parse("2020-10-22T12:00:00Z"), "openai", "gpt-4o").build());

        // when
        JsonNode fromStart = ok("?start_date=2020-10-01");
        JsonNode toEnd = ok("?end_date=2020-10-31");

        // then
        assertEquals(2, fromStart.path("requests").asLong());
        assertEquals("2020-10-25T00:00:00Z", toEnd.path("start").asText());
        assertEquals("2020-11-01T00:00:00Z", toEnd.path("end").asText());
        assertEquals(1, toEnd.path("requests").asLong());
    }

    @Test
    void topCutsTheModelKeyAndUserListsAndIsTenByDefault() throws Exception {
        // given: twelve keys, users and models, key i with i requests
        List<AuditRecord> records = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            for (int j = 0; j < i; j++) {
                records.add(call("r" + i + "-" + j, NOV_1.plusSeconds(i * 100L + j), "openai", "model-" + i)
                        .keyId(KeyId.of("key_" + i)).userId("user-" + i).build());
            }
        }
        seed(records.toArray(AuditRecord[]::new));

        // when
        JsonNode byDefault = ok("?start_date=2026-11-01&end_date=2026-11-01");
        JsonNode two = ok("?start_date=2026-11-01&end_date=2026-11-01&top=2");

        // then
        assertEquals(10, byDefault.path("top_keys").size());
        assertEquals(10, byDefault.path("top_users").size());
        assertEquals(10, byDefault.path("top_models").size());
        assertEquals(10, byDefault.path("by_model").size());
        assertEquals(List.of("key_12", "key_11"), names(two.path("top_keys"), "key_id"));
        assertEquals(List.of("user-12", "user-11"), names(two.path("top_users"), "user_id"));
        assertEquals(List.of("model-12", "model-11"), names(two.path("top_models"), "model"));
        assertEquals(78, two.path("requests").asLong());
        assertEquals(1, two.path("by_provider").size());
    }

    @Test
    void anEmptyRangeAnswersZerosNotNaN() throws Exception {
        // when
        String body;
        try (Response response = analytics("?start_date=2026-11-01&end_date=2026-11-01", "authorization", MASTER)) {
            assertEquals(200, response.code());
            body = response.body().string();
        }

        // then
        JsonNode json = Gateway.JSON.readTree(body);
        assertEquals(0, json.path("requests").asLong());
        assertTrue(json.path("error_rate").isNumber(), body);
        assertEquals(0.0, json.path("error_rate").asDouble());
        assertEquals(0.0, json.path("cache_hit_rate").asDouble());
        assertEquals(0.0, json.path("cost_usd").asDouble());
        assertEquals(0.0, json.at("/latency_ms/p99").asDouble());
        assertEquals(0, json.path("by_provider").size());
        assertEquals(0, json.path("daily").size());
        assertTrue(!body.contains("NaN"), body);
    }

    @Test
    void badParametersAre400InOpenAisShapeNamingTheParameter() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"?start_date=yesterday", "start_date"},
                new String[] {"?start_date=2026-13-01", "start_date"},
                new String[] {"?end_date=2026-02-30", "end_date"},
                new String[] {"?start_date=2026-11-01T10:00:00", "start_date"},
                new String[] {"?end_date=%2B99999-01-01T00:00:00Z", "end_date"},
                new String[] {"?start_date=2026-11-02&end_date=2026-11-01T00:00:00Z", "end_date"},
                new String[] {"?start_date=2026-11-02T00:00:01Z&end_date=2026-11-02T00:00:00Z", "end_date"},
                new String[] {"?top=0", "top"},
                new String[] {"?top=101", "top"},
                new String[] {"?top=-1", "top"},
                new String[] {"?top=ten", "top"},
                new String[] {"?top=99999999999", "top"});

        for (String[] bad : cases) {
            // when
            try (Response response = analytics(bad[0], "authorization", MASTER)) {
                // then
                assertEquals(400, response.code(), bad[0]);
                JsonNode error = Gateway.json(response).path("error");
                assertEquals("invalid_request_error", error.path("type").asText(), bad[0]);
                assertEquals(bad[1], error.path("param").asText(), bad[0]);
                assertTrue(error.path("message").asText().contains(bad[1]), error.toString());
            }
        }
    }

    @Test
    void aMissingOrWrongMasterKeyIsRejectedWith401() throws Exception {
        // given: a virtual key is no master key either
        String token;
        try (Response created = gateway.post(gateway.url(Service.MANAGEMENT, "/api/enterprise/vkeys"),
                "{\"name\":\"ci\",\"owner_id\":\"team-a\"}", "authorization", MASTER)) {
            assertEquals(201, created.code());
            token = Gateway.json(created).path("token").asText();
        }
        seed(call("r1", NOV_1, "openai", "gpt-4o").costMicros(1).build());
        List<String[]> credentials = List.of(new String[0], new String[] {"authorization", "Bearer wrong-key"},
                new String[] {"authorization", "Bearer " + token}, new String[] {"x-api-key", token});

        for (String[] credential : credentials) {
            // when
            try (Response response = analytics("?start_date=2026-11-01", credential)) {
                // then
                assertEquals(401, response.code());
                JsonNode error = Gateway.json(response).path("error");
                assertEquals("invalid_api_key", error.path("code").asText());
                assertTrue(!error.toString().contains("requests"), error.toString());
            }
        }
    }

    private void seed(AuditRecord... records) {
        assertEquals(records.length, gateway.server.database().audit().append(List.of(records)));
    }

    private static AuditRecord.Builder call(String requestId, Instant timestamp, String provider, String model) {
        return AuditRecord.builder(requestId, timestamp, "/v1/chat/completions", provider, model);
    }

    private Response analytics(String query, String... headers) throws IOException {
        return gateway.get(gateway.url(Service.MANAGEMENT, "/api/analytics" + query), headers);
    }

    private JsonNode ok(String query) throws IOException {
        try (Response response = analytics(query, "authorization", MASTER)) {
            String body = response.body().string();
            assertEquals(200, response.code(), body);
            return Gateway.JSON.readTree(body);
        }
    }

    private static List<String> names(JsonNode array, String field) {
        List<String> names = new ArrayList<>();
        array.forEach(node -> names.add(node.path(field).asText()));
        return names;
    }
}
