package dev.smartflow.server;

import static dev.smartflow.server.Audits.await;
import static dev.smartflow.server.Audits.entries;
import static dev.smartflow.server.Audits.logs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.spi.AuditQuery;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** {@code GET /api/vas/logs} over HTTP: each call the proxy served or refused, filtered, behind the master key. */
class AuditLogApiTest extends GatewayTest {
    private static final String CHAT =
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void aServedCallIsLoggedWithWhoWhereWhatItCostAndHowItEnded() throws Exception {
        // given
        JsonNode key = createKey("{\"name\":\"ci\",\"owner_id\":\"team-a\","
                + "\"tags\":{\"org\":\"acme\",\"team\":\"search\"}}");
        String token = key.path("token").asText();

        // when: 9 prompt + 3 completion tokens of gpt-4o-mini = 3.15 -> 3 micro-USD
        try (Response response = chat(token, "served-1", CHAT.replace("{\"model\"", "{\"user\":\"bob\",\"model\""))) {
            assertEquals(200, response.code());
        }

        // then
        await(() -> entries(gateway, "").containsKey("served-1"), "the call is logged");
        JsonNode entry = entries(gateway, "").get("served-1");
        assertEquals(key.path("key_id").asText(), entry.path("key_id").asText());
        assertEquals("bob", entry.path("user_id").asText());
        assertEquals("acme", entry.path("org_id").asText());
        assertEquals("search", entry.path("team_id").asText());
        assertEquals("/v1/chat/completions", entry.path("route").asText());
        assertEquals("openai", entry.path("provider").asText());
        assertEquals("gpt-4o-mini", entry.path("model").asText());
        assertEquals(9, entry.path("prompt_tokens").asLong());
        assertEquals(3, entry.path("completion_tokens").asLong());
        assertEquals(0, new BigDecimal("0.000003").compareTo(entry.path("cost_usd").decimalValue()));
        assertFalse(entry.path("cached").asBoolean());
        assertTrue(entry.path("hit_type").isNull());
        assertTrue(entry.path("compliance_score").isNull());
        assertTrue(entry.path("compliance_flags").isArray() && entry.path("compliance_flags").isEmpty());
        assertTrue(entry.path("latency_ms").isNumber() && entry.path("latency_ms").asDouble() >= 0);
        assertEquals(200, entry.path("status").asInt());
        assertTrue(entry.path("error").isNull());
        assertTrue(entry.path("timestamp").asText().endsWith("Z"));
        String listing = Audits.logsText(gateway, "");
        assertTrue(listing.contains("\"cost_usd\":0.000003"), "six decimal places: " + listing);
        assertFalse(listing.contains(token), "the token never appears");
        assertFalse(listing.contains("hash"), "nor a hash");
    }

    @Test
    void refusedCallsAreLoggedWithTheirStatusAndError() throws Exception {
        // when
        try (Response response = chat("sk-sf-not-a-key", "refused-401", CHAT)) {
            assertEquals(401, response.code());
        }
        try (Response response = chat(Gateway.MASTER, "refused-400", "{\"model\":\"gpt-4o-mini\"}")) {
            assertEquals(400, response.code());
        }

        // then
        await(() -> entries(gateway, "").keySet().containsAll(List.of("refused-401", "refused-400")),
                "both refusals are logged");
        Map<String, JsonNode> logged = entries(gateway, "");
        assertEquals(401, logged.get("refused-401").path("status").asInt());
        assertEquals("invalid_api_key", logged.get("refused-401").path("error").asText());
        assertTrue(logged.get("refused-401").path("key_id").isNull());
        assertEquals("none", logged.get("refused-401").path("provider").asText());
        assertEquals(400, logged.get("refused-400").path("status").asInt());
        assertFalse(logged.get("refused-400").path("error").asText().isEmpty());
        assertEquals(0, upstream.server.getRequestCount());
        assertFalse(Audits.logsText(gateway, "").contains("sk-sf-not-a-key"));
    }

    @Test
    void theLogIsFilteredByKeyProviderAndTimeAndCutToTheLimit() throws Exception {
        // given: two calls with one key, one with another
        JsonNode first = createKey("{\"name\":\"one\",\"owner_id\":\"a\"}");
        JsonNode second = createKey("{\"name\":\"two\",\"owner_id\":\"b\"}");
        for (String id : List.of("k1-a", "k1-b")) {
            try (Response response = chat(first.path("token").asText(), id, CHAT)) {
                assertEquals(200, response.code());
            }
        }
        try (Response response = chat(second.path("token").asText(), "k2-a", CHAT)) {
            assertEquals(200, response.code());
        }
        await(() -> logs(gateway, "").path("data").size() == 3, "three calls are logged");
        String today = LocalDate.now(ZoneOffset.UTC).toString();

        // when / then
        assertEquals(Set.of("k1-a", "k1-b"), entries(gateway, "key=" + first.path("key_id").asText()).keySet());
        assertEquals(Set.of("k2-a"), entries(gateway, "key=" + second.path("key_id").asText()).keySet());
        assertEquals(3, logs(gateway, "provider=openai").path("data").size());
        assertEquals(3, logs(gateway, "provider=OpenAI").path("data").size());
        assertEquals(0, logs(gateway, "provider=anthropic").path("data").size());
        assertEquals(3, logs(gateway, "since=" + today).path("data").size());
        assertEquals(0, logs(gateway, "since=2999-01-01T00:00:00Z").path("data").size());
        assertEquals(3, logs(gateway, "since=2000-01-01T01:00:00%2B01:00").path("data").size());
        assertEquals(3, logs(gateway, "since=2000-01-01T01:00:00+01:00").path("data").size(), "an unencoded +");
        assertEquals(0, logs(gateway, "since=2999-01-01T01:00:00-01:00").path("data").size());
        JsonNode page = logs(gateway, "limit=2");
        assertEquals("list", page.path("object").asText());
        assertEquals(2, page.path("data").size());
        assertTrue(page.path("has_more").asBoolean());
        assertEquals("k2-a", page.path("data").get(0).path("request_id").asText(), "newest first");
        assertFalse(logs(gateway, "limit=3").path("has_more").asBoolean());
        assertFalse(logs(gateway, "").path("has_more").asBoolean());
    }

    @Test
    void badParametersAre400NamingTheParameterAndChangeNothing() throws Exception {
        Map<String, String> bad = Map.ofEntries(
                Map.entry("limit=0", "limit"),
                Map.entry("limit=" + (AuditQuery.MAX_LIMIT + 1), "limit"),
                Map.entry("limit=ten", "limit"),
                Map.entry("limit=99999999999999999999", "limit"),
                Map.entry("limit=-1", "limit"),
                Map.entry("since=yesterday", "since"),
                Map.entry("since=2026-13-01", "since"),
                Map.entry("since=-999999999-01-01", "since"),
                Map.entry("since=%2B999999999-12-31T23:59:59Z", "since"),
                Map.entry("since=%2B10000-01-01T00:00:01Z", "since"),
                Map.entry("since=-0001-12-31T00:00:00Z", "since"),
                Map.entry("key=", "key"),
                Map.entry("key=sk-sf-secret-token-value", "key"),
                Map.entry("key=key_%00", "key"),
                Map.entry("key=" + "k".repeat(257), "key"),
                Map.entry("provider=", "provider"),
                Map.entry("provider=open%00ai", "provider"),
                Map.entry("provider=open%0Aai", "provider"));
        for (Map.Entry<String, String> query : bad.entrySet()) {
            try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, Audits.LOGS + "?" + query.getKey()),
                    "authorization", "Bearer " + Gateway.MASTER)) {
                String body = response.body().string();
                assertEquals(400, response.code(), query.getKey() + ": " + body);
                JsonNode error = Gateway.JSON.readTree(body).path("error");
                assertEquals("invalid_request_error", error.path("type").asText(), body);
                assertEquals(query.getValue(), error.path("param").asText(), body);
                assertFalse(error.path("message").asText().isEmpty());
                assertFalse(body.contains("secret-token-value"), "a token is never repeated: " + body);
            }
        }
    }

    @Test
    void theLogNeedsTheMasterKey() throws Exception {
        String token = createKey("{\"name\":\"ci\",\"owner_id\":\"a\"}").path("token").asText();
        try (Response none = gateway.get(gateway.url(Service.MANAGEMENT, Audits.LOGS))) {
            assertEquals(401, none.code());
        }
        try (Response virtualKey = gateway.get(gateway.url(Service.MANAGEMENT, Audits.LOGS), "authorization",
                "Bearer " + token)) {
            assertEquals(401, virtualKey.code());
            assertEquals("invalid_api_key", Gateway.json(virtualKey).path("error").path("code").asText());
        }
    }

    private JsonNode createKey(String body) throws IOException {
        try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, "/api/enterprise/vkeys"), body,
                "authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(201, response.code());
            return Gateway.json(response);
        }
    }

    private Response chat(String token, String requestId, String body) throws IOException {
        return gateway.post(gateway.proxy("/v1/chat/completions"), body, "authorization", "Bearer " + token,
                "x-request-id", requestId);
    }
}
