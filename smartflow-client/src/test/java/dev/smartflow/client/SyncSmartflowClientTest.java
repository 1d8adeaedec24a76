package dev.smartflow.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.smartflow.server.ClientHarness;
import dev.smartflow.server.Service;
import dev.smartflow.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every method the gateway's core services serve, through the blocking client against a real gateway in-process
 * (ephemeral ports) in front of a fake upstream: what each returns, and what reached the upstream.
 */
class SyncSmartflowClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path data;

    private static ClientHarness gateway;
    private static SyncSmartflowClient client;

    @BeforeAll
    static void start() throws Exception {
        gateway = ClientHarness.start(data);
        client = clientFor(gateway, ClientHarness.MASTER);
    }

    static SyncSmartflowClient clientFor(ClientHarness gateway, String key) {
        return SmartflowClient.builder().baseUrl(gateway.url(Service.PROXY)).apiKey(key)
                .managementPort(gateway.port(Service.MANAGEMENT)).bridgePort(gateway.port(Service.BRIDGE))
                .buildSync();
    }

    @BeforeEach
    void forgetEarlierUpstreamRequests() throws Exception {
        gateway.drainUpstream();
    }

    @AfterAll
    static void stop() {
        client.close();
        gateway.close();
    }

    private static JsonNode sent(RecordedRequest request) throws Exception {
        return JSON.readTree(request.getBody().utf8());
    }

    /** The next upstream request to {@code path}, skipping others (tests share the upstream). */
    private static RecordedRequest next(String path) throws Exception {
        for (int i = 0; i < 50; i++) {
            RecordedRequest request = gateway.takeUpstreamRequest();
            if (request.getUrl().encodedPath().equals(path)) {
                return request;
            }
        }
        throw new AssertionError("no upstream request to " + path);
    }

    @Test
    void chatSendsOneUserMessageWithTheGuidesDefaultsAndReturnsTheText() throws Exception {
        String reply = client.chat("Explain Docker containers");

        assertEquals("Hello from upstream", reply);
        JsonNode body = sent(next("/v1/chat/completions"));
        assertEquals("gpt-4o", body.path("model").asText());
        assertEquals(0.7, body.path("temperature").asDouble());
        assertEquals("user", body.path("messages").path(0).path("role").asText());
        assertEquals("Explain Docker containers", body.path("messages").path(0).path("content").asText());
    }

    @Test
    void chatOptionsReachTheUpstream() throws Exception {
        client.chat("Write a sort function", ChatOptions.builder().model("gpt-4o-mini")
                .systemPrompt("You are an expert Python developer.").temperature(0.3).maxTokens(1000)
                .user("alice").param("top_p", 0.9).build());

        JsonNode body = sent(next("/v1/chat/completions"));
        assertEquals("gpt-4o-mini", body.path("model").asText());
        assertEquals("system", body.path("messages").path(0).path("role").asText());
        assertEquals("You are an expert Python developer.", body.path("messages").path(0).path("content").asText());
        assertEquals(0.3, body.path("temperature").asDouble());
        assertEquals(1000, body.path("max_tokens").asInt());
        assertEquals("alice", body.path("user").asText());
        assertEquals(0.9, body.path("top_p").asDouble());
    }

    @Test
    void chatCompletionsReturnsTheGuidesAiResponse() {
        AIResponse response = client.chatCompletions(List.of(Message.system("You are a helpful assistant."),
                Message.user("What is REST API?")), ChatOptions.model("gpt-4o-mini"));

        assertEquals("Hello from upstream", response.content());
        assertEquals(1, response.choices().size());
        assertEquals(new Usage(9, 3, 12), response.usage());
        assertEquals("gpt-4o-mini-2024-07-18", response.model());
        assertEquals("chatcmpl-1", response.id());
        assertFalse(response.cached());
        assertEquals(Optional.empty(), response.cacheHitType());
        assertEquals("openai", response.provider());
        assertTrue(response.costUsd().isPresent(), "the gateway priced the call from the bundled catalog");
        assertTrue(response.requestId().orElseThrow().startsWith("req_"));
        assertEquals("stop", response.finishReason());
    }

    @Test
    void streamChatYieldsTheDeltasInOrder() throws Exception {
        try (Stream<String> deltas = client.streamChat("Tell me a story about a robot",
                ChatOptions.model("gpt-4o-mini"))) {
            assertEquals(List.of("Hel", "lo!"), deltas.toList());
        }
        assertTrue(sent(next("/v1/chat/completions")).path("stream").asBoolean());
    }

    @Test
    void aStreamClosedEarlyReleasesTheConnection() {
        for (int i = 0; i < 10; i++) {
            try (Stream<String> deltas = client.streamChat("Count", ChatOptions.model("gpt-4o-mini"))) {
                assertEquals("Hel", deltas.findFirst().orElseThrow());
            }
        }
        assertEquals("Hello from upstream", client.chat("still served", ChatOptions.model("gpt-4o-mini")));
    }

    @Test
    void claudeMessageUsesTheNativeMessagesRoute() throws Exception {
        String reply = client.claudeMessage("Analyze this code", ClaudeOptions.defaults()
                .withModel("claude-sonnet-4-5").withMaxTokens(2000).withSystem("You are a senior security engineer."));

        assertEquals("Hello from Claude", reply);
        RecordedRequest request = next("/v1/messages");
        assertEquals(ClientHarness.ANTHROPIC_KEY, request.getHeaders().get("x-api-key"),
                "the gateway replaced the client's key with its own");
        JsonNode body = sent(request);
        assertEquals(2000, body.path("max_tokens").asInt());
        assertEquals("You are a senior security engineer.", body.path("system").asText());
    }

    @Test
    void embeddingsReturnTheVectorsAndSendBatchesAsArrays() throws Exception {
        EmbeddingResult single = client.embeddings("Hello, world!");
        assertArrayEquals(new float[] {0.25f, -0.5f, 0.75f}, single.vector(0));
        assertEquals("Hello, world!", sent(next("/v1/embeddings")).path("input").asText());

        client.embeddings(List.of("First document", "Second document"),
                EmbeddingOptions.defaults().withModel("text-embedding-3-large").withDimensions(256));
        JsonNode body = sent(next("/v1/embeddings"));
        assertEquals(2, body.path("input").size());
        assertEquals(256, body.path("dimensions").asInt());
        assertEquals("text-embedding-3-large", body.path("model").asText());
    }

    @Test
    void imageGenerationReturnsEveryImage() throws Exception {
        ImageResult result = client.imageGeneration("A futuristic city at sunrise",
                ImageOptions.defaults().withSize("1792x1024").withQuality("hd").withStyle("vivid"));

        assertEquals(List.of("https://images.example/1.png", "https://images.example/2.png"),
                result.images().stream().map(image -> image.url().orElseThrow()).toList());
        JsonNode body = sent(next("/v1/images/generations"));
        assertEquals("hd", body.path("quality").asText());
        assertEquals("vivid", body.path("style").asText());
    }

    @Test
    void audioTranscriptionUploadsTheFileAsMultipart() throws Exception {
        byte[] audio = "ID3 fake mp3 bytes".getBytes(StandardCharsets.UTF_8);
        Transcription transcript = client.audioTranscription(audio, TranscriptionOptions.defaults()
                .withLanguage("en"));

        assertEquals("Hello from the recording.", transcript.text());
        String form = next("/v1/audio/transcriptions").getBody().utf8();
        assertTrue(form.contains("filename=\"audio.mp3\""), form);
        assertTrue(form.contains("ID3 fake mp3 bytes"), form);
        assertTrue(form.contains("name=\"language\"") && form.contains("whisper-1"), form);
    }

    @Test
    void textToSpeechReturnsTheAudioBytes() throws Exception {
        byte[] audio = client.textToSpeech("Hello, this is Smartflow.", SpeechOptions.defaults().withVoice("nova"));

        assertArrayEquals(ClientHarness.SPEECH, audio);
        assertEquals("nova", sent(next("/v1/audio/speech")).path("voice").asText());
    }

    @Test
    void rerankOrdersDocumentsByRelevance() throws Exception {
        RerankResult ranked = client.rerank("What is the return policy?",
                List.of("Contact support@example.com.", "We accept returns within 30 days."),
                "openai/my-reranker", 1);

        assertEquals(List.of(new RerankResult.Hit(1, 0.92), new RerankResult.Hit(0, 0.11)), ranked.results());
        JsonNode body = sent(next("/v1/rerank"));
        assertEquals(1, body.path("top_n").asInt());
        assertEquals("my-reranker", body.path("model").asText());
    }

    @Test
    void listModelsAndHealth() {
        List<String> ids = client.listModels().stream().map(ModelInfo::id).toList();
        assertTrue(ids.contains("gpt-4o-mini"), ids.toString());
        assertEquals("ok", client.health().path("status").asText());
    }

    @Test
    void getLogsReturnsTheAuditedCallsNewestFirst() {
        String id = client.chatCompletions(List.of(Message.user("audited")),
                ChatOptions.builder().model("gpt-4o-mini").user("log-user").build()).requestId().orElseThrow();
        gateway.awaitAudited(id);

        VasLog log = client.getLogs(100).stream().filter(l -> l.requestId().equals(id)).findFirst().orElseThrow();
        assertEquals("openai", log.provider());
        assertEquals("gpt-4o-mini", log.model());
        assertEquals(12, log.tokensUsed());
        assertEquals(Optional.of("log-user"), log.userId());
        assertEquals(200, log.status());
        assertFalse(log.cached());
        assertTrue(log.costUsd().signum() > 0);
        List<VasLog> anthropic = client.getLogs(100, "anthropic");
        assertTrue(anthropic.stream().allMatch(l -> l.provider().equals("anthropic")), anthropic.toString());
    }

    @Test
    void analyticsCountTheDaysCalls() {
        String id = client.chatCompletions(List.of(Message.user("counted")), ChatOptions.model("gpt-4o-mini"))
                .requestId().orElseThrow();
        gateway.awaitAudited(id);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);

        JsonNode analytics = client.getAnalytics(today.minusDays(1), today);
        assertTrue(analytics.path("requests").asLong() >= 1, analytics.toString());
        assertTrue(client.getAnalytics().path("by_provider").isArray());
    }

    @Test
    void routingStatusForceAndClear() {
        assertTrue(client.getRoutingStatus().path("success").asBoolean());

        JsonNode forced = client.forceProvider("openai", Duration.ofMinutes(10));
        assertEquals("openai", forced.path("provider").asText());
        assertEquals("openai", client.getRoutingStatus().path("forced").path("provider").asText());

        assertTrue(client.clearForcedProvider().path("cleared").asBoolean());
        assertTrue(client.getRoutingStatus().path("forced").isNull());
    }

    @Test
    void providerHealthListsTheConfiguredProviders() {
        List<ProviderHealth> health = client.getProviderHealth();
        ProviderHealth openai = health.stream().filter(p -> p.provider().equals("openai")).findFirst().orElseThrow();
        assertEquals("healthy", openai.status());
    }

    @Test
    void virtualKeysCanBeCreatedUsedInspectedAndRevoked() {
        CreatedKey key = client.createVirtualKey(Map.of("name", "sdk-test", "owner_id", "alice@example.com",
                "budget_usd", 5));
        assertFalse(key.toString().contains(key.token()), "toString hides the token");
        try (SyncSmartflowClient app = clientFor(gateway, key.token())) {
            assertEquals("Hello from upstream", app.chat("hi", ChatOptions.model("gpt-4o-mini")));
        }
        assertTrue(client.listVirtualKeys().path("keys").findValuesAsText("key_id").contains(key.keyId()));
        assertEquals(key.keyId(), client.getKeyBudget(key.keyId()).path("budget").path("key_id").asText());
        assertTrue(client.resetKeyBudget(key.keyId()).path("success").asBoolean());
        assertTrue(client.revokeVirtualKey(key.keyId()).path("success").asBoolean());
    }

    @Test
    void anAlertIsRefusedWhileAlertsAreOff() {
        SmartflowException refused = assertThrows(SmartflowException.class,
                () -> client.sendAlert("Deploy", "done", "info"));
        assertEquals(409, refused.status().orElseThrow());
        assertEquals(Optional.of("alerts_disabled"), refused.code());
    }

    @Test
    void theAsyncClientServesTheSameMethods() throws Exception {
        SmartflowClient async = client.async();
        assertEquals("Hello from upstream", async.chat("async", ChatOptions.model("gpt-4o-mini")).get());
        try (Stream<String> deltas = async.streamChat("async stream", ChatOptions.model("gpt-4o-mini")).get()) {
            assertEquals("Hello!", deltas.collect(Collectors.joining()));
        }
        assertEquals(3, async.embeddings("async").get().vector(0).length);
        assertEquals("ok", SmartflowClient.await(async.health()).path("status").asText());
    }

    @Test
    void chatbotQueryAnswersFromTheGatewaysFigures() {
        String id = client.chatCompletions(List.of(Message.user("counted")), ChatOptions.model("gpt-4o-mini"))
                .requestId().orElseThrow();
        gateway.awaitAudited(id);

        ChatbotAnswer answer = client.chatbotQuery("how many requests did we serve today?");

        assertEquals("requests", answer.intent());
        assertTrue(answer.data().path("requests").asLong() >= 1, answer.json().toString());
        assertTrue(answer.response().startsWith("Requests today: "), answer.response());
        assertEquals("unsupported", client.chatbotQuery("tell me a joke").intent());
    }

    @Test
    void healthComprehensiveReportsTheInstance() {
        SystemHealth health = client.healthComprehensive();

        assertEquals("healthy", health.status());
        assertEquals(health.status(), health.overallStatus());
        assertTrue(health.databaseConnected());
        assertFalse(health.redisConnected());
        assertTrue(health.providersAvailable().contains("openai"));
        assertFalse(health.version().isEmpty());
        assertTrue(health.providers().has("openai"));
    }

    @Test
    void getLogsHybridReadsTheBridgeWithInstanceIds() {
        String id = client.chatCompletions(List.of(Message.user("bridged")), ChatOptions.model("gpt-4o-mini"))
                .requestId().orElseThrow();
        Await.until(Duration.ofSeconds(10), "the bridge has the call",
                () -> client.getLogsHybrid(100).stream().anyMatch(l -> l.requestId().equals(id)));

        VasLog log = client.getLogsHybrid(100).stream().filter(l -> l.requestId().equals(id)).findFirst()
                .orElseThrow();
        assertTrue(log.instanceId().isPresent());
        assertEquals("openai", log.provider());
    }
}
