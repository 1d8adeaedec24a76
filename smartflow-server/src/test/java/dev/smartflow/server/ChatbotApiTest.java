package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.testkit.FakeClock;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/chatbot/query}: each supported question against seeded audit records whose answers are known,
 * with the clock at Thursday 2026-11-26 15:00 UTC (the week began Monday the 23rd).
 */
class ChatbotApiTest {
    static final Instant NOW = Instant.parse("2026-11-26T15:00:00Z");

    @TempDir
    Path data;

    private final FakeClock clock = new FakeClock(NOW);
    private Upstream upstream;
    private Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private void start(Optional<Path> config) throws IOException {
        upstream = new Upstream();
        gateway = new Gateway(upstream, data, config, Map.of(), clock, Service.PROXY, Service.MANAGEMENT);
        gateway.server.database().audit().append(seed());
    }

    private static AuditRecord record(String id, String at, String provider, String model, int status, long in,
                                      long out, long micros, long latencyMs, boolean cached) {
        AuditRecord.Builder builder = AuditRecord.builder(id, Instant.parse(at), "/v1/chat/completions", provider,
                model).tokens(in, out).costMicros(micros).latencyMicros(latencyMs * 1_000);
        if (cached) {
            builder.cacheHit("exact");
        }
        if (status >= 400) {
            builder.failed(status, "upstream_error");
        }
        return builder.build();
    }

    /** The audit log the questions are asked of. */
    static List<AuditRecord> seed() {
        List<AuditRecord> records = new ArrayList<>();
        // today
        records.add(record("r01", "2026-11-26T10:00:00Z", "openai", "gpt-4o-mini", 200, 100, 50, 1_500, 100, false));
        records.add(record("r02", "2026-11-26T11:00:00Z", "openai", "gpt-4o-mini", 200, 0, 0, 0, 5, true));
        records.add(record("r03", "2026-11-26T12:00:00Z", "anthropic", "claude-sonnet-4-5", 200, 200, 100, 4_000, 300,
                false));
        records.add(record("r04", "2026-11-26T13:00:00Z", "anthropic", "claude-sonnet-4-5", 502, 0, 0, 0, 1_000,
                false));
        // yesterday
        records.add(record("r05", "2026-11-25T09:00:00Z", "openai", "gpt-4o", 200, 1_000, 500, 12_500, 800, false));
        records.add(record("r06", "2026-11-25T10:00:00Z", "openai", "gpt-4o-mini", 200, 100, 50, 1_500, 120, false));
        records.add(record("r07", "2026-11-25T11:00:00Z", "openai", "gpt-4o-mini", 429, 0, 0, 0, 2, false));
        // earlier this week
        records.add(record("r08", "2026-11-23T08:00:00Z", "gemini", "gemini-2.0-flash", 500, 0, 0, 0, 50, false));
        records.add(record("r09", "2026-11-23T16:00:00Z", "anthropic", "claude-sonnet-4-5", 200, 10, 10, 200, 90,
                false));
        records.add(record("r11", "2026-11-24T12:00:00Z", "anthropic", "claude-sonnet-4-5", 503, 0, 0, 0, 700, false));
        // last week
        records.add(record("r10", "2026-11-17T12:00:00Z", "openai", "gpt-4o", 200, 5_000, 3_000, 100_000, 500,
                false));
        return records;
    }

    private JsonNode ask(String question) throws IOException {
        try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, "/api/chatbot/query"),
                Gateway.JSON.createObjectNode().put("query", question).toString(),
                "Authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(200, response.code());
            return Gateway.json(response);
        }
    }

    @Test
    void todaysCacheStats() throws Exception {
        start(Optional.empty());

        JsonNode answer = ask("show me today's cache stats");

        assertEquals("cache", answer.path("intent").asText());
        assertEquals("today", answer.path("range").path("label").asText());
        assertEquals("2026-11-26T00:00:00Z", answer.path("range").path("start").asText());
        assertEquals(1, answer.path("data").path("hits").asLong());
        assertEquals(3, answer.path("data").path("misses").asLong());
        assertEquals(0, new BigDecimal("0.25").compareTo(answer.path("data").path("hit_rate").decimalValue()));
        assertEquals("Cache today: 1 of 4 requests answered from the cache, 3 sent to a provider (hit rate 25%).",
                answer.path("response").asText());
        assertEquals("rules", answer.path("phrased_by").asText());
    }

    @Test
    void whichProviderHadTheMostErrorsThisWeek() throws Exception {
        start(Optional.empty());

        JsonNode answer = ask("which provider had the most errors this week?");

        assertEquals("errors", answer.path("intent").asText());
        assertEquals("The most errors this week: anthropic, 2 of 4 requests (50%).", answer.path("response").asText());
        JsonNode first = answer.path("data").path("providers").path(0);
        assertEquals("anthropic", first.path("provider").asText());
        assertEquals(2, first.path("errors").asLong());
        assertEquals(3, answer.path("data").path("providers").size(), "openai, anthropic and gemini this week");
    }

    @Test
    void whatDidWeSpendOnOpenAiYesterday() throws Exception {
        start(Optional.empty());

        JsonNode answer = ask("what did we spend on OpenAI yesterday?");

        assertEquals("cost", answer.path("intent").asText());
        assertEquals("openai", answer.path("provider").asText());
        assertEquals("Spend for openai yesterday: $0.014 over 3 requests.", answer.path("response").asText());
        assertEquals(0, new BigDecimal("0.014").compareTo(answer.path("data").path("cost_usd").decimalValue()));
    }

    @Test
    void requestsInTheLastThreeDays() throws Exception {
        start(Optional.empty());

        JsonNode answer = ask("how many requests did we serve in the last 3 days?");

        assertEquals("Requests in the last 3 days: 9.", answer.path("response").asText());
        assertEquals("2026-11-23T15:00:00Z", answer.path("range").path("start").asText());
    }

    @Test
    void latencyThisWeekIsThePercentilesOfTheRecords() throws Exception {
        start(Optional.empty());

        JsonNode answer = ask("what is our latency this week?");

        assertEquals("Latency this week over 10 requests: p50 100 ms, p95 1000 ms, p99 1000 ms.",
                answer.path("response").asText());
    }

    @Test
    void topModelsThisMonth() throws Exception {
        start(Optional.empty());

        JsonNode answer = ask("what are the top models this month?");

        assertEquals("top_models", answer.path("intent").asText());
        List<String> models = new ArrayList<>();
        answer.path("data").path("models").forEach(m -> models.add(m.path("provider").asText() + "/"
                + m.path("model").asText() + ":" + m.path("requests").asLong()));
        assertEquals(List.of("anthropic/claude-sonnet-4-5:4", "openai/gpt-4o-mini:4", "openai/gpt-4o:2",
                "gemini/gemini-2.0-flash:1"), models);
        assertTrue(answer.path("response").asText().startsWith("Top models this month: 1. anthropic/claude-sonnet-4-5"
                + " (4 requests, $0.0042)"), answer.path("response").asText());
    }

    @Test
    void tokensOfOneProviderToday() throws Exception {
        start(Optional.empty());

        assertEquals("Tokens for anthropic today: 300 (200 in, 100 out) over 2 requests.",
                ask("how many tokens did anthropic use today?").path("response").asText());
    }

    @Test
    void aSummaryOfYesterdayAndLastWeeksSpend() throws Exception {
        start(Optional.empty());

        assertEquals("Summary yesterday: 3 requests, 1 failed, 0 answered from the cache, $0.014 spent.",
                ask("give me a summary of yesterday").path("response").asText());
        assertEquals("Spend last week: $0.10 over 1 request (openai $0.10).",
                ask("what did we spend last week?").path("response").asText());
    }

    @Test
    void routingStatusNamesTheForcedProvider() throws Exception {
        start(Optional.empty());
        try (Response forced = gateway.post(gateway.url(Service.MANAGEMENT, "/api/routing/force-provider"),
                "{\"provider\":\"openai\",\"duration_seconds\":600}", "Authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(200, forced.code());
        }

        JsonNode answer = ask("what is the routing status?");

        assertEquals("routing", answer.path("intent").asText());
        assertEquals("Providers: ollama healthy (0 calls), openai healthy (0 calls); openai is forced until 2026-11-26T15:10:00Z.",
                answer.path("response").asText());
        assertEquals("openai", answer.path("data").path("forced").path("provider").asText());
    }

    @Test
    void aProvidersLatencyComesFromRouting() throws Exception {
        start(Optional.empty());

        JsonNode answer = ask("what is the latency of openai?");

        assertEquals("No latency for openai: it has served no calls yet.", answer.path("response").asText());
    }

    @Test
    void anUnsupportedQuestionGetsTheListOfWhatItCanAnswer() throws Exception {
        start(Optional.empty());

        JsonNode answer = ask("tell me a joke");

        assertEquals("unsupported", answer.path("intent").asText());
        assertTrue(answer.path("supported").size() >= 5);
        assertTrue(answer.path("response").asText().startsWith("I answer questions about"));
    }

    @Test
    void aBadQueryIsA400AndTheMasterKeyIsRequired() throws Exception {
        start(Optional.empty());
        String url = gateway.url(Service.MANAGEMENT, "/api/chatbot/query");
        for (String body : List.of("{}", "{\"query\":\"  \"}", "{\"query\":7}",
                "{\"query\":\"" + "x".repeat(1_001) + "\"}", "not json")) {
            try (Response response = gateway.post(url, body, "Authorization", "Bearer " + Gateway.MASTER)) {
                assertEquals(400, response.code(), body);
            }
        }
        try (Response response = gateway.post(url, "{\"query\":\"today's cost\"}")) {
            assertEquals(401, response.code());
        }
    }

    @Test
    void aConfiguredModelPhrasesTheAnswerWhenItKeepsTheFigures() throws Exception {
        Path config = Files.writeString(data.resolve("smartflow.yaml"), "chatbot:\n  model: gpt-4o-mini\n");
        start(Optional.of(config));
        upstream.answer("/v1/chat/completions", Upstream.json(200, chat("Yesterday OpenAI cost you $0.014 across 3"
                + " requests.")));

        JsonNode answer = ask("what did we spend on OpenAI yesterday?");

        assertEquals("Yesterday OpenAI cost you $0.014 across 3 requests.", answer.path("response").asText());
        assertEquals("gpt-4o-mini", answer.path("phrased_by").asText());
        String prompt = Gateway.JSON.readTree(upstream.server.takeRequest().getBody().utf8()).path("messages")
                .path(0).path("content").asText();
        assertTrue(prompt.contains("Spend for openai yesterday: $0.014 over 3 requests."), prompt);
    }

    @Test
    void aPhrasingThatChangesAFigureIsDiscarded() throws Exception {
        Path config = Files.writeString(data.resolve("smartflow.yaml"), "chatbot:\n  model: gpt-4o-mini\n");
        start(Optional.of(config));
        upstream.answer("/v1/chat/completions", Upstream.json(200, chat("OpenAI cost $14 yesterday.")));

        JsonNode answer = ask("what did we spend on OpenAI yesterday?");

        assertEquals("Spend for openai yesterday: $0.014 over 3 requests.", answer.path("response").asText());
        assertEquals("rules", answer.path("phrased_by").asText());
        assertFalse(answer.path("response").asText().contains("$14"));
    }

    private static String chat(String content) {
        return Gateway.JSON.createObjectNode().put("id", "c").put("object", "chat.completion").put("model",
                "gpt-4o-mini").set("choices", Gateway.JSON.createArrayNode().add(Gateway.JSON.createObjectNode()
                .put("index", 0).put("finish_reason", "stop").set("message", Gateway.JSON.createObjectNode()
                        .put("role", "assistant").put("content", content)))).toString();
    }
}
