package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.smartflow.cache.embed.EmbeddersProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MetaCache in a real gateway (the cache module found on the class path, the real embedding model), driven over
 * HTTP and with the official OpenAI SDK: headers, the stats and clear API, the audit log, Prometheus, budgets and
 * tenants.
 */
class MetaCacheEndToEndTest {
    static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":"
            + "\"%s\"}]}";

    @TempDir
    Path data;
    private Upstream upstream;
    private Gateway gateway;

    @BeforeAll
    static void keepDjlsCacheInTheBuildDirectory() {
        EmbeddersProbe.shared();
    }

    @BeforeEach
    void start() throws Exception {
        upstream = new Upstream();
        gateway = new Gateway(upstream, data, BudgetBurstTest.pricedEnvironment(data));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    static String chat(String question) {
        return CHAT.formatted(question);
    }

    private Response post(String body, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        all[0] = "authorization";
        all[1] = "Bearer " + Gateway.MASTER;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return gateway.post(gateway.proxy("/v1/chat/completions"), body, all);
    }

    @Test
    void aRepeatedQuestionIsServedFromTheCacheWithItsHeadersStatsAuditAndMetrics() throws Exception {
        String key;
        try (Response first = post(chat("What is the capital of France?"), "x-request-id", "mc-first")) {
            assertEquals(200, first.code());
            assertEquals("false", first.header("x-smartflow-cache-hit"));
            key = first.header("x-smartflow-cache-key");
        }
        try (Response second = post(chat("What is the capital of France?"), "x-request-id", "mc-second")) {
            assertEquals(200, second.code());
            assertEquals("true", second.header("x-smartflow-cache-hit"));
            assertEquals(key, second.header("x-smartflow-cache-key"));
            assertEquals("l1", second.header("x-smartflow-cache-tier"));
            assertEquals("Hello from upstream", Gateway.json(second).path("choices").path(0).path("message")
                    .path("content").asText());
        }
        assertEquals(1, upstream.server.getRequestCount());

        JsonNode stats = managementJson("/api/cache/stats");
        assertEquals(1, stats.path("hits").asLong());
        assertEquals(1, stats.path("misses").asLong());
        assertEquals(1, stats.path("l1_hits").asLong());
        assertEquals(0.5, stats.path("hit_rate").asDouble());
        assertEquals(12, stats.path("tokens_saved").asLong());
        assertEquals(1, stats.path("entries").asLong());
        assertEquals(2, stats.path("total_requests").asLong());
        assertTrue(stats.path("cost_saved_usd").isNumber());

        Audits.await(() -> Audits.entries(gateway, "").containsKey("mc-second"), "the hit is logged");
        JsonNode hit = Audits.entries(gateway, "").get("mc-second");
        assertTrue(hit.path("cached").asBoolean());
        assertEquals("l1", hit.path("hit_type").asText());
        assertTrue(!Audits.entries(gateway, "").get("mc-first").path("cached").asBoolean());

        try (Response metrics = gateway.get(gateway.url(Service.MANAGEMENT, "/metrics"))) {
            String text = metrics.body().string();
            assertTrue(text.contains("smartflow_cache_hits_total{tier=\"l1\"} 1.0"), text);
            assertTrue(text.contains("smartflow_cache_misses_total 1.0"), text);
        }
    }

    @Test
    void aParaphraseIsServedByMeaningWithItsSimilarityAndANearMissIsNot() throws Exception {
        try (Response first = post(chat("How do I reset my password?"))) {
            assertEquals(200, first.code());
        }
        try (Response paraphrase = post(chat("How can I reset my password?"))) {
            assertEquals("true", paraphrase.header("x-smartflow-cache-hit"));
            assertEquals("l2", paraphrase.header("x-smartflow-cache-tier"));
            assertTrue(Double.parseDouble(paraphrase.header("x-smartflow-cache-similarity")) >= 0.85);
        }
        try (Response first = post(chat("Please refund order 1234"))) {
            assertEquals("false", first.header("x-smartflow-cache-hit"));
        }
        try (Response swapped = post(chat("Please refund order 1243"))) {
            assertEquals("false", swapped.header("x-smartflow-cache-hit"));
        }
        assertEquals(3, upstream.server.getRequestCount());
    }

    @Test
    void aHitLeavesTheKeysBudgetUntouchedAndOtherTenantsNeverHit() throws Exception {
        JsonNode acme = BudgetBurstTest.createKey(gateway, "{\"name\":\"a1\",\"owner_id\":\"t\",\"budget_usd\":1,"
                + "\"tags\":{\"org\":\"acme\"}}");
        JsonNode acmeTwo = BudgetBurstTest.createKey(gateway, "{\"name\":\"a2\",\"owner_id\":\"t\","
                + "\"tags\":{\"org\":\"acme\"}}");
        JsonNode globex = BudgetBurstTest.createKey(gateway, "{\"name\":\"g\",\"owner_id\":\"t\","
                + "\"tags\":{\"org\":\"globex\"}}");
        String question = chat("What is our refund window?");

        callAs(acme, question, "false");
        JsonNode spent = BudgetBurstTest.budget(gateway, acme.path("key_id").asText()).path("spent_usd");
        assertTrue(spent.decimalValue().signum() > 0, "the miss was paid: " + spent);
        callAs(acme, question, "true");
        callAs(acmeTwo, question, "true");
        callAs(globex, question, "false");

        JsonNode after = BudgetBurstTest.budget(gateway, acme.path("key_id").asText());
        assertEquals(0, spent.decimalValue().compareTo(after.path("spent_usd").decimalValue()));
        assertEquals(0, after.path("reserved_usd").decimalValue().signum());
        assertEquals(2, upstream.server.getRequestCount());
    }

    private void callAs(JsonNode key, String body, String hit) throws Exception {
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), body, "authorization",
                "Bearer " + key.path("token").asText())) {
            assertEquals(200, response.code(), response.body().string());
            assertEquals(hit, response.header("x-smartflow-cache-hit"));
        }
    }

    @Test
    void theOpenAiSdkReceivesAHitOnAStreamedRequestAsChunks() throws Exception {
        try (Response first = post(chat("Say hello"))) {
            assertEquals(200, first.code());
        }
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(gateway.proxy("/v1")).apiKey(Gateway.MASTER)
                .build();
        try {
            StringBuilder text = new StringBuilder();
            ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("gpt-4o-mini")
                    .addUserMessage("Say hello").build();
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
                stream.stream().forEach(chunk -> chunk.choices().forEach(choice ->
                        choice.delta().content().ifPresent(text::append)));
            }
            assertEquals("Hello from upstream", text.toString());
            assertEquals(1, upstream.server.getRequestCount());
        } finally {
            client.close();
        }
    }

    @Test
    void aStreamedAnswerIsStoredAndItsSseReplayEndsWithDone() throws Exception {
        try (Response streamed = post(chat("Count to three").replace("}]}", "}],\"stream\":true}"))) {
            assertTrue(streamed.body().string().contains("[DONE]"));
        }
        try (Response replay = post(chat("Count to three").replace("}]}", "}],\"stream\":true}"))) {
            assertEquals("true", replay.header("x-smartflow-cache-hit"));
            assertTrue(replay.header("content-type").startsWith("text/event-stream"));
            String text = replay.body().string();
            assertTrue(text.contains("\"object\":\"chat.completion.chunk\""), text);
            assertTrue(text.endsWith("data: [DONE]\n\n"), text);
        }
        assertEquals(1, upstream.server.getRequestCount());
    }

    @Test
    void controlHeadersReachTheCacheAndBadOnesAre400() throws Exception {
        try (Response first = post(chat("Who wrote Hamlet?"), "cache-control", "no-store")) {
            assertEquals("false", first.header("x-smartflow-cache-hit"));
        }
        try (Response second = post(chat("Who wrote Hamlet?"), "x-smartflow-cache-namespace", "lit")) {
            assertEquals("false", second.header("x-smartflow-cache-hit"));
        }
        try (Response third = post(chat("Who wrote Hamlet?"), "x-smartflow-cache-namespace", "lit")) {
            assertEquals("true", third.header("x-smartflow-cache-hit"));
        }
        try (Response bypass = post(chat("Who wrote Hamlet?"), "x-smartflow-cache-namespace", "lit",
                "cache-control", "no-cache")) {
            assertEquals("false", bypass.header("x-smartflow-cache-hit"));
        }
        try (Response bad = post(chat("Who wrote Hamlet?"), "x-smartflow-cache-threshold", "0.1")) {
            assertEquals(400, bad.code());
            JsonNode error = Gateway.json(bad).path("error");
            assertEquals("x-smartflow-cache-threshold", error.path("param").asText());
            assertEquals("invalid_cache_threshold", error.path("code").asText());
        }
        assertEquals(3, upstream.server.getRequestCount());
    }

    @Test
    void theClearApiNeedsTheMasterKeyAndEmptiesANamespace() throws Exception {
        try (Response first = post(chat("Tell me about owls"), "x-smartflow-cache-namespace", "zoo")) {
            assertEquals(200, first.code());
        }
        try (Response refused = gateway.send("DELETE", gateway.url(Service.MANAGEMENT, "/api/cache"), null)) {
            assertEquals(401, refused.code());
        }
        try (Response bad = gateway.send("DELETE", gateway.url(Service.MANAGEMENT, "/api/cache?namespace=a%20b"),
                null, "authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(400, bad.code());
        }
        try (Response cleared = gateway.send("DELETE", gateway.url(Service.MANAGEMENT, "/api/cache?namespace=zoo"),
                null, "authorization", "Bearer " + Gateway.MASTER)) {
            JsonNode json = Gateway.json(cleared);
            assertEquals(1, json.path("cleared").asLong());
            assertEquals("zoo", json.path("namespace").asText());
        }
        try (Response again = post(chat("Tell me about owls"), "x-smartflow-cache-namespace", "zoo")) {
            assertEquals("false", again.header("x-smartflow-cache-hit"));
        }
        try (Response stats = gateway.get(gateway.url(Service.MANAGEMENT, "/api/cache/stats"))) {
            assertEquals(401, stats.code());
        }
    }

    @Test
    void anthropicMessagesAreCachedOnTheirOwnRoute() throws Exception {
        gateway.close();
        gateway = Gateway.withAnthropic(upstream, data.resolve("anthropic"));
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Hi\"}]}";
        for (String expected : new String[] {"false", "true"}) {
            try (Response response = gateway.post(gateway.proxy("/anthropic/v1/messages"), body, "x-api-key",
                    Gateway.MASTER, "anthropic-version", "2023-06-01")) {
                assertEquals(200, response.code());
                assertEquals(expected, response.header("x-smartflow-cache-hit"));
                assertEquals("Hello from Claude", Gateway.json(response).path("content").path(0).path("text")
                        .asText());
            }
        }
        assertEquals(1, upstream.server.getRequestCount());
    }

    @Test
    void metacacheEnabledFalseLeavesCallsUncached() throws Exception {
        gateway.close();
        Path config = data.resolve("smartflow.yaml");
        Files.writeString(config, "cache:\n  metacache:\n    enabled: false\n");
        gateway = new Gateway(upstream, data.resolve("off"), Optional.of(config), new HashMap<>(Map.of()));
        for (int i = 0; i < 2; i++) {
            try (Response response = post(chat("Uncached"))) {
                assertNull(response.header("x-smartflow-cache-hit"));
            }
        }
        assertEquals(2, upstream.server.getRequestCount());
    }

    private JsonNode managementJson(String path) throws Exception {
        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, path), "authorization",
                "Bearer " + Gateway.MASTER)) {
            assertEquals(200, response.code());
            return Gateway.json(response);
        }
    }
}
