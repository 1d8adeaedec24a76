package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Anthropic's {@code count_tokens} through the real server: forwarded with the server's key, free of charge. */
class AnthropicCountTokensTest extends GatewayTest {
    private static final String COUNT = """
            {"model":"claude-sonnet-4-5","system":"Be brief.","messages":[{"role":"user","content":"Say hello"}]}""";
    private static final String COUNTED = "{\"input_tokens\":14}";

    @BeforeEach
    void withAnthropic() {
        gateway.close();
        gateway = Gateway.withAnthropic(upstream, data);
        upstream.answer("/v1/messages/count_tokens", Upstream.json(200, COUNTED));
    }

    @Test
    void countIsForwardedWithTheServersKeyAndVersionAndAnsweredUntouchedAndUnpriced() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/anthropic/v1/messages/count_tokens"), COUNT,
                "x-api-key", Gateway.MASTER, "anthropic-version", "2023-06-01",
                "anthropic-beta", "token-counting-2024-11-01")) {
            assertEquals(200, response.code());
            assertEquals(COUNTED, response.body().string());
            assertEquals("anthropic", response.header("x-smartflow-provider"));
            assertNull(response.header("x-smartflow-cost-usd"), "counting tokens costs nothing");
        }
        RecordedRequest sent = upstream.server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("/v1/messages/count_tokens", sent.getUrl().encodedPath());
        assertEquals(Gateway.ANTHROPIC_KEY, sent.getHeaders().get("x-api-key"));
        assertEquals("2023-06-01", sent.getHeaders().get("anthropic-version"));
        assertEquals("token-counting-2024-11-01", sent.getHeaders().get("anthropic-beta"));
        assertNull(sent.getHeaders().get("authorization"));
        assertEquals(COUNT, sent.getBody().utf8());
    }

    @Test
    void cursorRouteCountsToo() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/cursor/v1/messages/count_tokens"), COUNT,
                "authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(200, response.code());
            assertEquals(COUNTED, response.body().string());
        }
    }

    @Test
    void aModelAnthropicDoesNotServeIsABadRequestInAnthropicsShape() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/anthropic/v1/messages/count_tokens"),
                COUNT.replace("claude-sonnet-4-5", "gpt-4o-mini"), "x-api-key", Gateway.MASTER)) {
            assertEquals(400, response.code());
            JsonNode error = Gateway.json(response);
            assertEquals("error", error.path("type").asText());
            assertEquals("invalid_request_error", error.at("/error/type").asText());
            assertTrue(error.at("/error/message").asText().contains("cannot count tokens"), error.toString());
        }
        assertEquals(0, upstream.server.getRequestCount());
    }

    @Test
    void aKeyWithABudgetTooSmallForAnyCallMayStillCountAndSpendsNothing() throws Exception {
        // given: $0.000001, less than any Claude call's worst case
        JsonNode key;
        try (Response created = gateway.post(gateway.url(Service.MANAGEMENT, "/api/enterprise/vkeys"),
                "{\"name\":\"ci\",\"owner_id\":\"team-a\",\"budget_usd\":0.000001}",
                "authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(201, created.code());
            key = Gateway.json(created);
        }

        // when
        try (Response response = gateway.post(gateway.proxy("/anthropic/v1/messages/count_tokens"), COUNT,
                "x-api-key", key.path("token").asText())) {
            // then
            assertEquals(200, response.code());
        }
        try (Response budget = gateway.get(gateway.url(Service.MANAGEMENT, "/api/enterprise/vkeys/"
                + key.path("key_id").asText() + "/budget"), "authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(200, budget.code());
            JsonNode spend = Gateway.json(budget).path("budget");
            assertEquals(0.0, spend.path("spent_usd").asDouble(), 1e-12);
            assertEquals(0.0, spend.path("reserved_usd").asDouble(), 1e-12);
        }
    }
}
