package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.model.ChatRequest;
import dev.smartflow.core.model.ChatResponse;
import dev.smartflow.core.model.Cost;
import dev.smartflow.providers.ProviderRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Amazon Bedrock, Vertex AI and Replicate through the real proxy with the official OpenAI Java SDK, unmodified: plain
 * and streamed answers, cost headers from the catalog, and fallback chains that mix them with OpenAI. The fakes speak
 * each provider's wire format ({@link CloudUpstream}).
 */
class CloudProvidersSdkTest {
    static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final String VERTEX_KEY = "AQ.Ab8RN6Lq-vertex-e2e-key-0123456789";
    static final String REPLICATE_KEY = "r8_E2eReplicateKey0123456789abcdefgh";
    private static final String MASTER = "Bearer " + Gateway.MASTER;
    private static final String BEDROCK = "bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0";
    private static final String VERTEX_GEMINI = "vertex_ai/gemini-2.5-flash";
    private static final String VERTEX_CLAUDE = "vertex_ai/claude-sonnet-4-5@20250929";
    private static final String REPLICATE = "replicate/meta/meta-llama-3-70b-instruct";

    @TempDir
    Path data;
    Upstream openai;
    CloudUpstream cloud;
    Gateway gateway;
    OpenAIClient client;

    @BeforeEach
    void start() throws IOException {
        openai = new Upstream();
        cloud = new CloudUpstream();
        gateway = new Gateway(openai, data, environment(cloud));
        client = OpenAIOkHttpClient.builder().baseUrl(gateway.proxy("/v1")).apiKey(Gateway.MASTER).maxRetries(0)
                .build();
    }

    static Map<String, String> environment(CloudUpstream cloud) {
        return Map.ofEntries(
                Map.entry("AWS_REGION", "us-east-1"),
                Map.entry("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
                Map.entry("AWS_SECRET_ACCESS_KEY", AWS_SECRET),
                Map.entry("BEDROCK_API_BASE", cloud.base()),
                Map.entry("VERTEXAI_API_KEY", VERTEX_KEY),
                Map.entry("VERTEXAI_PROJECT", "acme-prod"),
                Map.entry("VERTEXAI_LOCATION", "us-east5"),
                Map.entry("VERTEXAI_API_BASE", cloud.base()),
                Map.entry("REPLICATE_API_KEY", REPLICATE_KEY),
                Map.entry("REPLICATE_API_BASE", cloud.base()));
    }

    @AfterEach
    void stop() {
        client.close();
        gateway.close();
        cloud.close();
        openai.close();
    }

    private static ChatCompletionCreateParams hello(String model) {
        return ChatCompletionCreateParams.builder().model(model).addSystemMessage("Be brief.")
                .addUserMessage("Say hello").build();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0, Hello from Bedrock, bedrock, "
                + "us.anthropic.claude-3-5-haiku-20241022-v1:0, 0.002800",
        "vertex_ai/gemini-2.5-flash, Hello from Vertex Gemini, vertex_ai, gemini-2.5-flash, 0.001300",
        "vertex_ai/claude-sonnet-4-5@20250929, Hello from Vertex Claude, vertex_ai, claude-sonnet-4-5@20250929, "
                + "0.004500",
        "replicate/meta/meta-llama-3-70b-instruct, Hello from Replicate, replicate, meta/meta-llama-3-70b-instruct, "
                + "0.001200"})
    void aPlainChatIsAnsweredAndPricedThroughTheSdk(String model, String text, String provider, String upstreamModel,
                                                   String cost) {
        try (HttpResponseFor<ChatCompletion> response = client.chat().completions().withRawResponse()
                .create(hello(model))) {
            assertEquals(text, response.parse().choices().get(0).message().content().orElseThrow());
            assertEquals(provider, response.headers().values("x-smartflow-provider").getFirst());
            assertEquals(upstreamModel, response.headers().values("x-smartflow-model").getFirst());
            assertEquals("priced", response.headers().values("x-smartflow-cost-status").getFirst());
            assertEquals(cost, response.headers().values("x-smartflow-cost-usd").getFirst());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0, 1500",
        "vertex_ai/gemini-2.5-flash, 1400",
        "vertex_ai/claude-sonnet-4-5@20250929, 11",
        "replicate/meta/meta-llama-3-70b-instruct, 1200"})
    void aStreamedChatArrivesChunkByChunkWithItsUsage(String model, long totalTokens) {
        ChatCompletionCreateParams params = hello(model).toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            List<ChatCompletionChunk> chunks = stream.stream().toList();
            String text = chunks.stream().flatMap(chunk -> chunk.choices().stream())
                    .map(choice -> choice.delta().content().orElse("")).collect(Collectors.joining());
            assertEquals("Hello!", text);
            assertEquals("stop", chunks.stream().flatMap(c -> c.choices().stream())
                    .map(c -> c.finishReason().map(r -> r.asString()).orElse("")).filter(r -> !r.isEmpty())
                    .findFirst().orElseThrow());
            assertEquals(totalTokens, chunks.getLast().usage().orElseThrow().totalTokens());
        }
    }

    @Test
    void eachUpstreamGetsItsOwnCredentialsAndNeverTheCallersKey() throws Exception {
        client.chat().completions().create(hello(BEDROCK));
        client.chat().completions().create(hello(VERTEX_GEMINI));
        client.chat().completions().create(hello(REPLICATE));

        RecordedRequest bedrock = cloud.server.takeRequest();
        assertTrue(bedrock.getHeaders().get("Authorization").startsWith("AWS4-HMAC-SHA256 Credential="
                + "AKIAIOSFODNN7EXAMPLE/"), bedrock.getHeaders().get("Authorization"));
        assertEquals("/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse", bedrock.getTarget());
        RecordedRequest vertex = cloud.server.takeRequest();
        assertEquals(VERTEX_KEY, vertex.getHeaders().get("x-goog-api-key"));
        assertEquals("/v1/projects/acme-prod/locations/us-east5/publishers/google/models/gemini-2.5-flash"
                + ":generateContent", vertex.getTarget());
        RecordedRequest replicate = cloud.server.takeRequest();
        assertEquals("Bearer " + REPLICATE_KEY, replicate.getHeaders().get("Authorization"));
        for (RecordedRequest sent : List.of(bedrock, vertex, replicate)) {
            assertFalse(sent.getHeaders().toString().contains(Gateway.MASTER), "the caller's key stays home");
        }
    }

    @Test
    void aBedrockErrorReachesTheSdkWithItsMappedStatusAndNoSecret() throws Exception {
        cloud.answer("/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse",
                new MockResponse.Builder().code(400).addHeader("x-amzn-ErrorType", "ThrottlingException")
                        .body("{\"message\":\"Rate exceeded for " + AWS_SECRET + "\"}").build());

        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), "{\"model\":\"" + BEDROCK
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "authorization", MASTER)) {
            String body = response.body().string();
            assertEquals(429, response.code(), body);
            assertTrue(body.contains("Rate exceeded"), body);
            assertFalse(body.contains(AWS_SECRET), body);
        }
    }

    // fallback chains mixing the clouds with OpenAI

    private void createChain(String body) throws IOException {
        try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, RoutingApiTest.CHAINS), body,
                "authorization", MASTER)) {
            assertEquals(201, response.code(), response.body().string());
        }
    }

    @Test
    void aChainFallsFromAFailingOpenAiThroughAThrottledBedrockToVertexAndPricesWhatServed() throws Exception {
        openai.answer("/v1/chat/completions", Upstream.json(500, "{\"error\":{\"message\":\"boom\"}}"));
        cloud.answer("/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse",
                new MockResponse.Builder().code(429).addHeader("x-amzn-ErrorType",
                        "ThrottlingException").body("{\"message\":\"Too many requests\"}").build());
        createChain("""
                {"name":"multi-cloud","targets":[{"provider":"openai","model":"gpt-4o-mini"},\
                {"provider":"bedrock","model":"anthropic.claude-3-5-haiku-20241022-v1:0"},\
                {"provider":"vertex_ai","model":"claude-sonnet-4-5@20250929"},\
                {"provider":"replicate","model":"meta/meta-llama-3-70b-instruct"}],"max_retries":3}""");

        try (HttpResponseFor<ChatCompletion> response = client.chat().completions().withRawResponse()
                .create(hello("multi-cloud"))) {
            assertEquals("Hello from Vertex Claude", response.parse().choices().get(0).message().content()
                    .orElseThrow());
            assertEquals("vertex_ai", response.headers().values("x-smartflow-provider").getFirst());
            assertEquals("3", response.headers().values("x-smartflow-attempts").getFirst());
            assertEquals("0.004500", response.headers().values("x-smartflow-cost-usd").getFirst());
        }
    }

    @Test
    void aStreamedChainFallsFromAFailingReplicateToOpenAi() {
        cloud.answer("/v1/models/meta/meta-llama-3-70b-instruct/predictions",
                Upstream.json(503, "{\"title\":\"Service Unavailable\",\"detail\":\"try again\",\"status\":503}"));
        try {
            createChain("""
                    {"name":"replicate-first","targets":[{"provider":"replicate",\
                    "model":"meta/meta-llama-3-70b-instruct"},{"provider":"openai","model":"gpt-4o-mini"}]}""");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        ChatCompletionCreateParams params = hello("replicate-first").toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();

        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            List<ChatCompletionChunk> chunks = stream.stream().toList();
            assertEquals("Hello!", chunks.stream().flatMap(c -> c.choices().stream())
                    .map(c -> c.delta().content().orElse("")).collect(Collectors.joining()));
            assertEquals(11, chunks.getLast().usage().orElseThrow().totalTokens(), "OpenAI's stream served it");
        }
    }

    // in-process, without the server

    @Test
    void theSameModelsAnswerInProcess() throws Exception {
        try (ProviderRegistry registry = ProviderRegistry.builder().environment(environment(cloud)).build();
             Smartflow smartflow = Smartflow.builder().resolver(registry).pricing(registry.catalog()).build()) {
            for (String model : List.of(BEDROCK, VERTEX_GEMINI, VERTEX_CLAUDE, REPLICATE)) {
                ChatResponse answer = smartflow.chat(ChatRequest.of(model, "Say hello"));
                assertTrue(answer.content().startsWith("Hello from"), model + ": " + answer.content());
                assertEquals(Cost.Status.PRICED, answer.cost().orElseThrow().status(), model);
            }
        }
    }
}
