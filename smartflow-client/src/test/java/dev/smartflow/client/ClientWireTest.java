package dev.smartflow.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.testkit.FakeClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's wire behaviour against scripted answers: how it finds each service, what it sends, how it maps error
 * bodies the core gateway does not produce (compliance blocks, 402), and retries with an injected sleeper and clock.
 */
class ClientWireTest {
    private final MockWebServer server = new MockWebServer();
    private final List<Duration> waits = new ArrayList<>();
    private final FakeClock clock = new FakeClock();

    @BeforeEach
    void start() throws IOException {
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private SmartflowClient.Builder builder() {
        String base = server.url("/").toString();
        return SmartflowClient.builder().baseUrl(base).apiKey("sk-sf-test").managementUrl(base).complianceUrl(base)
                .policyUrl(base).bridgeUrl(base).sleeper(waits::add).clock(clock);
    }

    private static MockResponse json(int status, String body, String... headers) {
        MockResponse.Builder response = new MockResponse.Builder().code(status)
                .addHeader("content-type", "application/json").body(body);
        for (int i = 0; i < headers.length; i += 2) {
            response.addHeader(headers[i], headers[i + 1]);
        }
        return response.build();
    }

    private static final String CHAT = """
            {"id":"c1","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":\
            {"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,\
            "completion_tokens":1,"total_tokens":2}}""";

    @Test
    void everyServiceIsFoundOnItsPortOfTheBaseUrlsHost() {
        SmartflowClient.Builder builder = SmartflowClient.builder().baseUrl("https://gw.example.com:7775/v1/");
        try (Http http = builder.http()) {
            assertEquals("https://gw.example.com:7775/", http.base(Http.Service.PROXY).toString());
            assertEquals("https://gw.example.com:7778/", http.base(Http.Service.MANAGEMENT).toString());
            assertEquals("https://gw.example.com:7777/", http.base(Http.Service.COMPLIANCE).toString());
            assertEquals("https://gw.example.com:7782/", http.base(Http.Service.POLICY).toString());
            assertEquals("https://gw.example.com:3500/", http.base(Http.Service.BRIDGE).toString());
        }
        try (Http http = SmartflowClient.builder().baseUrl("http://h:1").managementPort(9000).bridgePort(9001)
                .http()) {
            assertEquals(9000, http.base(Http.Service.MANAGEMENT).port());
            assertEquals(9001, http.base(Http.Service.BRIDGE).port());
        }
    }

    @Test
    void fromEnvReadsTheUrlAndKey() throws Exception {
        server.enqueue(json(200, "{\"status\":\"ok\"}"));
        try (SyncSmartflowClient client = SmartflowClient.builder()
                .fromEnv(Map.of("SMARTFLOW_URL", server.url("/").toString(), "SMARTFLOW_API_KEY", "sk-sf-env"))
                .buildSync()) {
            client.health();
        }
        assertEquals("Bearer sk-sf-env", server.takeRequest().getHeaders().get("Authorization"));
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> SmartflowClient.builder().fromEnv(Map.of()));
        assertTrue(missing.getMessage().contains("SMARTFLOW_URL"));
    }

    @Test
    void theBuilderRefusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> SmartflowClient.builder().baseUrl("not a url"));
        assertThrows(IllegalArgumentException.class, () -> SmartflowClient.builder().timeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> SmartflowClient.builder().managementPort(0));
        assertThrows(IllegalStateException.class, () -> SmartflowClient.builder().buildSync());
        assertThrows(IllegalArgumentException.class, () -> ChatOptions.builder().temperature(3));
        assertThrows(IllegalArgumentException.class, () -> ChatOptions.builder().param("messages", List.of()));
    }

    @Test
    void aComplianceBlockCarriesTheFindingTypesNeverTheValues() {
        server.enqueue(json(403, """
                {"error":{"message":"blocked by policy pci_dss_strict: credit_card","type":"compliance_violation",\
                "code":"compliance_blocked","findings":["credit_card",{"type":"ssn"}]}}"""));
        try (SyncSmartflowClient client = builder().buildSync()) {
            ComplianceException e = assertThrows(ComplianceException.class,
                    () -> client.chat("card 4111 1111 1111 1111"));
            assertEquals(List.of("credit_card", "ssn"), e.findingTypes());
            assertEquals(403, e.status().orElseThrow());
            assertEquals("compliance_violation", e.type());
        }
    }

    @Test
    void aForbiddenProviderIsNotACompliance403() {
        server.enqueue(json(403, "{\"error\":{\"message\":\"provider not allowed\",\"type\":\"permission_error\","
                + "\"code\":\"provider_not_allowed\"}}"));
        try (SyncSmartflowClient client = builder().buildSync()) {
            SmartflowException e = assertThrows(SmartflowException.class, () -> client.chat("hi"));
            assertEquals(SmartflowException.class, e.getClass());
            assertEquals(Optional.of("provider_not_allowed"), e.code());
        }
    }

    @Test
    void aBudget402IsARateLimitWithTheBudgetFigures() {
        server.enqueue(json(402, """
                {"error":{"message":"Budget limit exceeded","type":"budget_exceeded","code":"insufficient_quota"},\
                "spent_usd":100.04,"remaining_usd":0.0}""", "X-Smartflow-Budget-Exceeded", "true"));
        try (SyncSmartflowClient client = builder().buildSync()) {
            RateLimitException e = assertThrows(RateLimitException.class, () -> client.chat("hi"));
            assertTrue(e.budgetExceeded());
            assertEquals(0, BigDecimal.ZERO.compareTo(e.budgetRemainingUsd().orElseThrow()));
            assertTrue(e.retryAfter().isEmpty());
        }
    }

    @Test
    void anthropicShapedErrorsAreReadToo() {
        server.enqueue(json(400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                + "\"message\":\"max_tokens: required\"}}"));
        try (SyncSmartflowClient client = builder().buildSync()) {
            SmartflowException e = assertThrows(SmartflowException.class, () -> client.claudeMessage("hi"));
            assertEquals("invalid_request_error", e.type());
            assertTrue(e.getMessage().contains("max_tokens: required"));
        }
    }

    @Test
    void noRetriesByDefault() {
        server.enqueue(json(503, "{\"error\":{\"message\":\"busy\",\"type\":\"server_error\"}}", "Retry-After", "1"));
        server.enqueue(json(200, CHAT));
        try (SyncSmartflowClient client = builder().buildSync()) {
            assertThrows(ProviderException.class, () -> client.chat("hi"));
        }
        assertEquals(1, server.getRequestCount());
        assertTrue(waits.isEmpty());
    }

    @Test
    void a429IsRetriedAfterItsRetryAfterSeconds() {
        server.enqueue(json(429, "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}",
                "Retry-After", "7"));
        server.enqueue(json(200, CHAT));
        try (SyncSmartflowClient client = builder().retries(RetryPolicy.of(3)).buildSync()) {
            assertEquals("hi", client.chat("hi"));
        }
        assertEquals(List.of(Duration.ofSeconds(7)), waits);
        assertEquals(2, server.getRequestCount());
    }

    @Test
    void aRetryAfterDateIsMeasuredFromTheInjectedClock() {
        String at = DateTimeFormatter.RFC_1123_DATE_TIME.format(clock.instant().plusSeconds(12).atOffset(
                ZoneOffset.UTC));
        server.enqueue(json(503, "{}", "Retry-After", at));
        server.enqueue(json(200, CHAT));
        try (SyncSmartflowClient client = builder().retries(RetryPolicy.of(1)).buildSync()) {
            client.chat("hi");
        }
        assertEquals(List.of(Duration.ofSeconds(12)), waits);
    }

    @Test
    void withoutRetryAfterTheBackoffDoublesUpToItsCap() {
        for (int i = 0; i < 4; i++) {
            server.enqueue(json(502, "{\"error\":{\"message\":\"bad gateway\"}}"));
        }
        server.enqueue(json(200, CHAT));
        try (SyncSmartflowClient client = builder().retries(RetryPolicy.of(4)
                .withBackoff(Duration.ofMillis(100), Duration.ofMillis(300))).buildSync()) {
            client.chat("hi");
        }
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(300),
                Duration.ofMillis(300)), waits);
    }

    @Test
    void theLastFailureIsThrownWhenRetriesRunOut() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(json(500, "{\"error\":{\"message\":\"oops " + i + "\",\"type\":\"server_error\"}}"));
        }
        try (SyncSmartflowClient client = builder().retries(RetryPolicy.of(2)).buildSync()) {
            SmartflowException e = assertThrows(SmartflowException.class, () -> client.chat("hi"));
            assertTrue(e.getMessage().contains("oops 2"), e.getMessage());
        }
        assertEquals(3, server.getRequestCount());
    }

    @Test
    void aRetryAfterLongerThanThePolicyAllowsFailsAtOnce() {
        server.enqueue(json(429, "{\"error\":{\"message\":\"later\",\"type\":\"rate_limit_error\"}}",
                "Retry-After", "3600"));
        try (SyncSmartflowClient client = builder().retries(RetryPolicy.of(3)).buildSync()) {
            RateLimitException e = assertThrows(RateLimitException.class, () -> client.chat("hi"));
            assertEquals(Duration.ofHours(1), e.retryAfter().orElseThrow());
        }
        assertTrue(waits.isEmpty());
    }

    @Test
    void clientErrorsAreNeverRetried() {
        server.enqueue(json(400, "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}"));
        try (SyncSmartflowClient client = builder().retries(RetryPolicy.of(3)).buildSync()) {
            assertThrows(SmartflowException.class, () -> client.chat("hi"));
        }
        assertEquals(1, server.getRequestCount());
    }

    @Test
    void aStreamErrorEventIsThrownFromTheRead() {
        server.enqueue(new MockResponse.Builder().addHeader("content-type", "text/event-stream").body("""
                data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}

                data: {"error":{"message":"blocked mid-answer","type":"compliance_violation","findings":["ssn"]}}

                """).build());
        try (SyncSmartflowClient client = builder().buildSync();
             var deltas = client.streamChat("hi")) {
            var reads = deltas.iterator();
            assertEquals("Hel", reads.next());
            ComplianceException e = assertThrows(ComplianceException.class, reads::hasNext);
            assertEquals(List.of("ssn"), e.findingTypes());
        }
    }

    @Test
    void cachedAnswersReportTheirHitType() {
        server.enqueue(json(200, CHAT, "x-smartflow-cache-hit", "true", "x-smartflow-cache-similarity", "0.97"));
        server.enqueue(json(200, CHAT, "x-smartflow-cache-hit", "true"));
        server.enqueue(json(200, CHAT, "x-smartflow-cache-hit", "false"));
        try (SyncSmartflowClient client = builder().buildSync()) {
            AIResponse semantic = client.chatCompletions(List.of(Message.user("a")));
            assertTrue(semantic.cached());
            assertEquals(Optional.of("semantic"), semantic.cacheHitType());
            assertEquals(Optional.of("exact"), client.chatCompletions(List.of(Message.user("b"))).cacheHitType());
            assertFalse(client.chatCompletions(List.of(Message.user("c"))).cached());
        }
    }

    @Test
    void base64EmbeddingsAreDecodedToFloats() throws Exception {
        server.enqueue(json(200, "{\"model\":\"m\",\"data\":[{\"index\":0,\"embedding\":\"AACAPwAAAMA=\"}]}"));
        try (SyncSmartflowClient client = builder().buildSync()) {
            EmbeddingResult result = client.embeddings("x", EmbeddingOptions.defaults().withEncodingFormat("base64"));
            assertArrayEquals(new float[] {1.0f, -2.0f}, result.vector(0));
        }
        RecordedRequest sent = server.takeRequest();
        assertTrue(sent.getBody().utf8().contains("\"encoding_format\":\"base64\""));
    }

    @Test
    void aTextTranscriptIsReadAsTextAndAStreamIsSentWhole() throws Exception {
        server.enqueue(new MockResponse.Builder().addHeader("content-type", "text/plain").body("Hello there.\n")
                .build());
        try (SyncSmartflowClient client = builder().buildSync()) {
            Transcription transcript = client.audioTranscription(new ByteArrayInputStream(new byte[] {1, 2, 3}),
                    TranscriptionOptions.defaults().withResponseFormat("text").withFilename("clip.wav"));
            assertEquals("Hello there.", transcript.text());
        }
        String form = server.takeRequest().getBody().utf8();
        assertTrue(form.contains("filename=\"clip.wav\"") && form.contains("name=\"response_format\""), form);
    }
}
