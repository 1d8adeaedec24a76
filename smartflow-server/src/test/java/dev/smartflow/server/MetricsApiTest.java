package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics} scraped over real HTTP after real calls through the gateway. */
class MetricsApiTest extends GatewayTest {
    private static final String CHAT =
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM =
            "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String MASTER = "Bearer " + Gateway.MASTER;

    private String scrape(Service service) throws IOException {
        try (Response response = gateway.get(gateway.url(service, "/metrics"))) {
            assertEquals(200, response.code());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", response.header("Content-Type"));
            return response.body().string();
        }
    }

    /** The value of the one sample line that starts with {@code series}; empty when there is none. */
    private static Optional<Double> sample(String text, String series) {
        return text.lines().filter(line -> line.startsWith(series + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(series.length() + 1).strip()));
    }

    private static double value(String text, String series) {
        return sample(text, series).orElseThrow(() -> new AssertionError("no sample " + series + " in\n" + text));
    }

    private JsonNode createKey(String body) throws IOException {
        try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, "/api/enterprise/vkeys"), body,
                "authorization", MASTER)) {
            assertEquals(201, response.code());
            return Gateway.json(response);
        }
    }

    private int call(String body, String token) throws IOException {
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), body,
                "authorization", "Bearer " + token)) {
            response.body().string(); // a stream ends, and is recorded, when read to its end
            return response.code();
        }
    }

    @Test
    void aScrapeAfterRealCallsShowsRequestsTokensCostLatencyAndErrors() throws Exception {
        // given: a key with a budget, a complete call, a stream, an upstream failure and a call without a key
        String token = createKey("{\"name\":\"ci\",\"owner_id\":\"team-a\",\"budget_usd\":1}").path("token")
                .asText();
        assertEquals(200, call(CHAT, token));
        assertEquals(200, call(STREAM, token));
        upstream.answer("/v1/chat/completions", Upstream.json(500,
                "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"code\":null}}"));
        assertEquals(502, call(CHAT, token));
        assertEquals(401, call(CHAT, "sk-sf-not-a-key"));

        // when
        String text = scrape(Service.PROXY);

        // then
        assertEquals(2, value(text,
                "smartflow_requests_total{model=\"gpt-4o-mini\",provider=\"openai\",status=\"200\"}"));
        assertEquals(1, value(text,
                "smartflow_requests_total{model=\"gpt-4o-mini\",provider=\"openai\",status=\"502\"}"));
        assertEquals(1, value(text,
                "smartflow_requests_total{model=\"gpt-4o-mini\",provider=\"none\",status=\"401\"}"));
        assertEquals(9 + 9, value(text,
                "smartflow_tokens_total{model=\"gpt-4o-mini\",provider=\"openai\",type=\"prompt\"}"));
        assertEquals(3 + 2, value(text,
                "smartflow_tokens_total{model=\"gpt-4o-mini\",provider=\"openai\",type=\"completion\"}"));
        assertTrue(value(text, "smartflow_cost_usd_total{model=\"gpt-4o-mini\",provider=\"openai\"}") > 0);
        assertEquals(3, value(text, "smartflow_request_latency_seconds_count{provider=\"openai\"}"));
        assertEquals(3, value(text, "smartflow_request_latency_seconds_bucket{provider=\"openai\",le=\"+Inf\"}"));
        assertTrue(text.lines().anyMatch(l -> l.startsWith("smartflow_provider_errors_total{")
                && l.contains("provider=\"openai\"") && l.endsWith(" 1.0")), text);
        assertEquals(3, value(text, "smartflow_cache_misses_total"));
        assertFalse(text.contains(token), "no key token in the metrics");
    }

    @Test
    void aKeysSpendInItsPeriodShowsUpBehindTheRequest() throws Exception {
        // given
        JsonNode key = createKey("{\"name\":\"ci\",\"owner_id\":\"team-a\",\"budget_usd\":1}");
        String series = "smartflow_vkey_spend_usd{key_id=\"" + key.path("key_id").asText() + "\"}";

        // when: one call of 9 prompt + 3 completion tokens on gpt-4o-mini = 3 micro-USD
        assertEquals(200, call(CHAT, key.path("token").asText()));

        // then: the budget writer tells the gauge within about a second
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Optional<Double> spend = Optional.empty();
        while (spend.isEmpty() && System.nanoTime() < deadline) {
            spend = sample(scrape(Service.PROXY), series);
            if (spend.isEmpty()) {
                Thread.sleep(50); // a bounded poll for a background writer, not a synchronisation
            }
        }
        assertEquals(0.000003, spend.orElseThrow(() -> new AssertionError(series + " never appeared")), 1e-12);
    }

    @Test
    void theManagementPortServesTheSameMetricsWithoutAKey() throws Exception {
        // given
        String token = createKey("{\"name\":\"ci\",\"owner_id\":\"team-a\"}").path("token").asText();
        assertEquals(200, call(CHAT, token));

        // when
        String text = scrape(Service.MANAGEMENT);

        // then
        assertEquals(1, value(text,
                "smartflow_requests_total{model=\"gpt-4o-mini\",provider=\"openai\",status=\"200\"}"));
    }

    @Test
    void aScraperAskingForOpenMetricsGetsIt() throws Exception {
        try (Response response = gateway.get(gateway.proxy("/metrics"), "Accept",
                "application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5")) {
            assertEquals(200, response.code());
            assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8",
                    response.header("Content-Type"));
            assertTrue(response.body().string().strip().endsWith("# EOF"));
        }
    }

    @Test
    void twoGatewaysInOneProcessKeepTheirOwnFigures() throws Exception {
        // given
        String token = createKey("{\"name\":\"ci\",\"owner_id\":\"team-a\"}").path("token").asText();
        assertEquals(200, call(CHAT, token));

        // when
        try (Upstream otherUpstream = new Upstream();
             Gateway other = new Gateway(otherUpstream, data.resolve("other"), Map.of())) {
            try (Response response = other.get(other.url(Service.PROXY, "/metrics"))) {
                // then
                assertFalse(response.body().string().contains("smartflow_requests_total{"));
            }
        }
        assertTrue(scrape(Service.PROXY).contains("smartflow_requests_total{"));
    }
}
