package dev.smartflow.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.budget.KeySpend;
import dev.smartflow.core.routing.AttemptOutcome;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.KeyId;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");

    private final Metrics metrics = new Metrics();

    private static AuditRecord.Builder call(String provider, String model) {
        return AuditRecord.builder("req-1", AT, "/v1/chat/completions", provider, model);
    }

    private static String text(Metrics metrics) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The value of the one sample line that starts with {@code series}, e.g. {@code name{a="b"}}. */
    private static double sample(String text, String series) {
        return text.lines().filter(line -> line.startsWith(series + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(series.length() + 1).strip()))
                .orElseThrow(() -> new AssertionError("no sample " + series + " in\n" + text));
    }

    private static boolean has(String text, String prefix) {
        return text.lines().anyMatch(line -> line.startsWith(prefix));
    }

    @Test
    void aServedCallCountsTheRequestItsTokensCostAndLatency() {
        // when
        metrics.onRecord(call("openai", "gpt-4o").tokens(120, 48).costMicros(1_830).latencyMicros(412_000).build());

        // then
        String text = text(metrics);
        assertEquals(1, sample(text, "smartflow_requests_total{model=\"gpt-4o\",provider=\"openai\",status=\"200\"}"));
        assertEquals(120, sample(text,
                "smartflow_tokens_total{model=\"gpt-4o\",provider=\"openai\",type=\"prompt\"}"));
        assertEquals(48, sample(text,
                "smartflow_tokens_total{model=\"gpt-4o\",provider=\"openai\",type=\"completion\"}"));
        assertEquals(0.00183, sample(text, "smartflow_cost_usd_total{model=\"gpt-4o\",provider=\"openai\"}"), 1e-12);
        assertEquals(1, sample(text, "smartflow_request_latency_seconds_count{provider=\"openai\"}"));
        assertEquals(0.412, sample(text, "smartflow_request_latency_seconds_sum{provider=\"openai\"}"), 1e-9);
        assertEquals(1, sample(text, "smartflow_cache_misses_total"));
    }

    @Test
    void latencyFallsIntoTheGatewayBuckets() {
        // when: 300 ms and 45 s
        metrics.onRecord(call("openai", "gpt-4o").latencyMicros(300_000).build());
        metrics.onRecord(call("openai", "gpt-4o").latencyMicros(45_000_000).build());

        // then
        String text = text(metrics);
        assertEquals(0, sample(text, "smartflow_request_latency_seconds_bucket{provider=\"openai\",le=\"0.25\"}"));
        assertEquals(1, sample(text, "smartflow_request_latency_seconds_bucket{provider=\"openai\",le=\"0.5\"}"));
        assertEquals(1, sample(text, "smartflow_request_latency_seconds_bucket{provider=\"openai\",le=\"30.0\"}"));
        assertEquals(2, sample(text, "smartflow_request_latency_seconds_bucket{provider=\"openai\",le=\"60.0\"}"));
        assertEquals(2, sample(text, "smartflow_request_latency_seconds_bucket{provider=\"openai\",le=\"+Inf\"}"));
    }

    @Test
    void requestsAreCountedPerStatus() {
        // when
        metrics.onRecord(call("openai", "gpt-4o").build());
        metrics.onRecord(call("openai", "gpt-4o").build());
        metrics.onRecord(call("openai", "gpt-4o").failed(502, "upstream_error").build());

        // then
        String text = text(metrics);
        assertEquals(2, sample(text, "smartflow_requests_total{model=\"gpt-4o\",provider=\"openai\",status=\"200\"}"));
        assertEquals(1, sample(text, "smartflow_requests_total{model=\"gpt-4o\",provider=\"openai\",status=\"502\"}"));
    }

    @Test
    void aFailureAtAProviderIsAProviderErrorByCode() {
        // when
        metrics.onRecord(call("openai", "gpt-4o").failed(502, "upstream_error").build());
        metrics.onRecord(call("openai", "gpt-4o").failed(504, "upstream_timeout").build());
        metrics.onRecord(call("openai", "gpt-4o").failed(502, "upstream_error").build());

        // then
        String text = text(metrics);
        assertEquals(2, sample(text, "smartflow_provider_errors_total{error=\"upstream_error\",provider=\"openai\"}"));
        assertEquals(1, sample(text,
                "smartflow_provider_errors_total{error=\"upstream_timeout\",provider=\"openai\"}"));
    }

    @Test
    void aCallRefusedBeforeAnyProviderIsNeitherAProviderErrorNorACacheMiss() {
        // when
        metrics.onRecord(call("none", "gpt-4o").failed(401, "invalid_api_key").build());

        // then
        String text = text(metrics);
        assertEquals(1, sample(text, "smartflow_requests_total{model=\"gpt-4o\",provider=\"none\",status=\"401\"}"));
        assertFalse(has(text, "smartflow_provider_errors_total{"));
        assertEquals(0, sample(text, "smartflow_cache_misses_total"));
        assertFalse(has(text, "smartflow_tokens_total{"), "a refused call makes no token series");
    }

    @Test
    void aStreamTheClientClosedIsNotAProviderError() {
        metrics.onRecord(call("openai", "gpt-4o").failed(499, "client_closed_request").build());

        assertFalse(has(text(metrics), "smartflow_provider_errors_total{"));
    }

    @Test
    void cacheHitsAreCountedByTierAndAreNotMisses() {
        // when
        metrics.onRecord(call("openai", "gpt-4o").cacheHit("exact").build());
        metrics.onRecord(call("openai", "gpt-4o").cacheHit("semantic").build());
        metrics.onRecord(call("openai", "gpt-4o").cacheHit("exact").build());

        // then
        String text = text(metrics);
        assertEquals(2, sample(text, "smartflow_cache_hits_total{tier=\"exact\"}"));
        assertEquals(1, sample(text, "smartflow_cache_hits_total{tier=\"semantic\"}"));
        assertEquals(0, sample(text, "smartflow_cache_misses_total"));
    }

    @Test
    void spendSetsTheKeysGauge() {
        // when
        metrics.onSpend(new KeySpend(KeyId.of("key_1"), "ci", BudgetPeriod.MONTHLY, "2026-11", 2_500_000,
                OptionalLong.of(10_000_000)));
        metrics.onSpend(new KeySpend(KeyId.of("key_1"), "ci", BudgetPeriod.MONTHLY, "2026-11", 3_750_000,
                OptionalLong.of(10_000_000)));

        // then
        assertEquals(3.75, sample(text(metrics), "smartflow_vkey_spend_usd{key_id=\"key_1\"}"));
    }

    @Test
    void mcpCallsAreCountedByServerToolAndStatus() {
        // when
        metrics.mcpCall("github", "search_issues", "ok");
        metrics.mcpCall("github", "search_issues", "ok");
        metrics.mcpCall("github", "create_issue", "denied");

        // then
        String text = text(metrics);
        assertEquals(2, sample(text,
                "smartflow_mcp_calls_total{server=\"github\",status=\"ok\",tool=\"search_issues\"}"));
        assertEquals(1, sample(text,
                "smartflow_mcp_calls_total{server=\"github\",status=\"denied\",tool=\"create_issue\"}"));
    }

    @Test
    void allNineSeriesAreRegisteredBeforeAnyCall() {
        // series with labels appear in the text once they have a value; the registry holds all nine from the start
        Set<String> names = metrics.registry().scrape().stream().map(s -> s.getMetadata().getPrometheusName())
                .collect(Collectors.toSet());

        assertEquals(Set.of("smartflow_requests", "smartflow_request_latency_seconds", "smartflow_cache_hits",
                "smartflow_cache_misses", "smartflow_provider_errors", "smartflow_tokens", "smartflow_cost_usd",
                "smartflow_mcp_calls", "smartflow_vkey_spend_usd"), names);
    }

    @Test
    void modelsPastTheCapAreCountedAsOther() {
        // given
        Metrics capped = new Metrics(2);

        // when: callers can name any model, e.g. in a refused call
        capped.onRecord(call("none", "a").failed(401, "invalid_api_key").build());
        capped.onRecord(call("none", "b").failed(401, "invalid_api_key").build());
        capped.onRecord(call("none", "c").failed(401, "invalid_api_key").build());
        capped.onRecord(call("none", "d").failed(401, "invalid_api_key").build());

        // then
        String text = text(capped);
        assertEquals(1, sample(text, "smartflow_requests_total{model=\"a\",provider=\"none\",status=\"401\"}"));
        assertEquals(1, sample(text, "smartflow_requests_total{model=\"b\",provider=\"none\",status=\"401\"}"));
        assertEquals(2, sample(text, "smartflow_requests_total{model=\"other\",provider=\"none\",status=\"401\"}"));
        assertFalse(has(text, "smartflow_requests_total{model=\"c\""));
    }

    @Test
    void labelValuesLongerThanTheBoundAreCountedAsOther() {
        // given: a name of 2 MiB, as a refused call may carry
        String huge = "m".repeat(2 * 1024 * 1024);

        // when
        metrics.onRecord(call("none", huge).failed(400, "invalid_request").build());
        metrics.onRecord(call("none", "m".repeat(Metrics.MAX_LABEL_LENGTH)).failed(400, "invalid_request").build());
        metrics.mcpCall("s".repeat(Metrics.MAX_LABEL_LENGTH + 1), "tool", "ok");

        // then
        String text = text(metrics);
        assertEquals(1, sample(text, "smartflow_requests_total{model=\"other\",provider=\"none\",status=\"400\"}"));
        assertEquals(1, sample(text, "smartflow_requests_total{model=\"" + "m".repeat(Metrics.MAX_LABEL_LENGTH)
                + "\",provider=\"none\",status=\"400\"}"));
        assertEquals(1, sample(text, "smartflow_mcp_calls_total{server=\"other\",status=\"ok\",tool=\"other\"}"));
        assertTrue(text.length() < 64 * 1024, "the scrape stays small: " + text.length());
    }

    @Test
    void everyFailedAttemptCountsAgainstItsOwnProvider() {
        // when: openai failed, groq timed out, mistral served
        metrics.onRecord(call("mistral", "large").attempts(List.of(
                new AttemptOutcome("openai", "gpt-4o", 500, Optional.of("upstream_error"), 1_000),
                new AttemptOutcome("groq", "llama", 504, Optional.of("upstream_timeout"), 2_000),
                new AttemptOutcome("mistral", "large", 200, Optional.empty(), 3_000))).build());

        // then
        String text = text(metrics);
        assertEquals(1, sample(text, "smartflow_provider_errors_total{error=\"upstream_error\",provider=\"openai\"}"));
        assertEquals(1, sample(text, "smartflow_provider_errors_total{error=\"upstream_timeout\",provider=\"groq\"}"));
        assertFalse(has(text, "smartflow_provider_errors_total{error=\"upstream_error\",provider=\"mistral\""));
        assertEquals(1, sample(text, "smartflow_requests_total{model=\"large\",provider=\"mistral\",status=\"200\"}"));
    }

    @Test
    void eachInstanceKeepsItsOwnRegistry() {
        // given
        Metrics other = new Metrics();

        // when
        metrics.onRecord(call("openai", "gpt-4o").build());

        // then
        assertFalse(has(text(other), "smartflow_requests_total{"));
        assertTrue(has(text(metrics), "smartflow_requests_total{"));
    }

    @Test
    void aCapBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Metrics(0));
    }
}
