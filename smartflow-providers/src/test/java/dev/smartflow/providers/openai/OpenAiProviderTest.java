package dev.smartflow.providers.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.routing.Target;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.WireFixtures;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the adapter sends for each operation and vendor dialect, and what it makes of a good answer. */
@Timeout(20)
final class OpenAiProviderTest {
    private static final String KEY = Fixtures.KEY;
    /** A chat body with everything Smartflow does not read: an unknown field, tools, image parts, odd spacing. */
    private static final String RICH_BODY = """
            {"model":"gpt-4o-mini",  "messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},\
            {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}}]}],\
            "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",\
            "properties":{"location":{"type":"string"}}}}}],"temperature":0.2,\
            "x_vendor_extension":{"keep":[1,2.50,"me"]}}""";

    @StartStop
    private final MockWebServer server = new MockWebServer();
    private ProviderRegistry registry;

    @AfterEach
    void closeRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void chatAnswerComesBackAsTheUpstreamsJson() {
        String answer = Fixtures.text("chat-completion.json");
        server.enqueue(json(200, answer));

        Response response = openAi().call(chat("{\"model\":\"gpt-4o-mini\",\"messages\":[]}"), "gpt-4o-mini");

        Response.Complete complete = assertInstanceOf(Response.Complete.class, response);
        assertEquals(200, complete.status());
        assertEquals("application/json", complete.headers().get("content-type").orElseThrow());
        assertEquals(answer, complete.body().utf8());
        assertEquals("The capital of France is Paris.",
                complete.body().json().path("choices").path(0).path("message").path("content").asText());
    }

    @Test
    void chatSendsTheCallersBytesUntouchedWithTheProviderKey() throws Exception {
        server.enqueue(json(200, Fixtures.text("chat-completion.json")));

        openAi().call(chat(RICH_BODY), "gpt-4o-mini");

        RecordedRequest sent = server.takeRequest();
        assertEquals("POST", sent.getMethod());
        assertEquals("/v1/chat/completions", sent.getUrl().encodedPath());
        assertEquals("Bearer " + KEY, sent.getHeaders().get("Authorization"));
        assertEquals("application/json", sent.getHeaders().get("Content-Type"));
        assertEquals("application/json", sent.getHeaders().get("Accept"));
        assertEquals("smartflow/0.1", sent.getHeaders().get("User-Agent"));
        assertEquals(RICH_BODY, sent.getBody().utf8());
    }

    @Test
    void modelIsRewrittenOnlyWhenRoutingStrippedAPrefix() throws Exception {
        server.enqueue(json(200, Fixtures.text("chat-completion.json")));
        openAi();
        String prefixed = RICH_BODY.replace("\"gpt-4o-mini\"", "\"openai/gpt-4o-mini\"");
        Target target = registry.resolve("openai/gpt-4o-mini");

        target.provider().call(chat(prefixed), target.model());

        JsonNode sent = Body.MAPPER.readTree(server.takeRequest().getBody().utf8());
        assertEquals("gpt-4o-mini", sent.path("model").asText());
        ObjectNode expected = (ObjectNode) Body.MAPPER.readTree(RICH_BODY);
        assertEquals(expected, sent, "every other field, unknown ones included, is forwarded as sent");
    }

    @Test
    void callersOwnCredentialsAreNeverForwarded() throws Exception {
        server.enqueue(json(200, Fixtures.text("chat-completion.json")));
        Exchange exchange = Exchange.of(Operation.CHAT, Body.json("{\"model\":\"gpt-4o-mini\",\"messages\":[]}"),
                Headers.of("authorization", "Bearer sk-sf-caller-virtual-key", "x-api-key", "sk-sf-other"));

        openAi().call(exchange, "gpt-4o-mini");

        RecordedRequest sent = server.takeRequest();
        assertEquals(List.of("Bearer " + KEY), sent.getHeaders().values("Authorization"));
        assertNull(sent.getHeaders().get("x-api-key"));
    }

    @Test
    void toolCallAnswerPassesThroughWhole() {
        String answer = Fixtures.text("tool-call-completion.json");
        server.enqueue(json(200, answer));

        Response.Complete complete = (Response.Complete) openAi().call(chat(RICH_BODY), "gpt-4o-mini");

        JsonNode call = complete.body().json().path("choices").path(0).path("message").path("tool_calls").path(0);
        assertEquals("get_weather", call.path("function").path("name").asText());
        assertEquals("{\"location\":\"Paris, France\",\"unit\":\"celsius\"}",
                call.path("function").path("arguments").asText());
        assertEquals(answer, complete.body().utf8());
    }

    @Test
    void embeddingsGoToTheEmbeddingsEndpoint() throws Exception {
        server.enqueue(json(200, Fixtures.text("embeddings.json")));
        Exchange exchange = Exchange.of(Operation.EMBEDDINGS,
                Body.json("{\"model\":\"text-embedding-3-small\",\"input\":\"hello\",\"encoding_format\":\"float\"}"),
                Headers.EMPTY);

        Response.Complete complete = (Response.Complete) openAi().call(exchange, "text-embedding-3-small");

        assertEquals("/v1/embeddings", server.takeRequest().getUrl().encodedPath());
        assertEquals(4, complete.body().json().path("data").path(0).path("embedding").size());
    }

    @Test
    void completionsGoToTheLegacyCompletionsEndpoint() throws Exception {
        server.enqueue(json(200, """
                {"id":"cmpl-9","object":"text_completion","created":1745678496,"model":"gpt-3.5-turbo-instruct",\
                "choices":[{"text":" Paris.","index":0,"logprobs":null,"finish_reason":"stop"}],\
                "usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}"""));
        Exchange exchange = Exchange.of(Operation.COMPLETIONS,
                Body.json("{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":\"The capital of France is\"}"),
                Headers.EMPTY);

        openAi().call(exchange, "gpt-3.5-turbo-instruct");

        assertEquals("/v1/completions", server.takeRequest().getUrl().encodedPath());
    }

    @Test
    void azureCallsTheDeploymentWithItsApiVersionAndApiKeyHeader() throws Exception {
        server.enqueue(json(200, Fixtures.text("chat-completion.json")));
        registry = ProviderRegistry.builder()
                .environment(Map.of("AZURE_API_KEY", "azure-key-0123456789", "AZURE_API_BASE",
                        server.url("/").toString()))
                .build();
        Target target = registry.resolve("azure/prod-gpt-4o");

        target.provider().call(chat("{\"model\":\"azure/prod-gpt-4o\",\"messages\":[]}"), target.model());

        RecordedRequest sent = server.takeRequest();
        assertEquals("/openai/deployments/prod-gpt-4o/chat/completions", sent.getUrl().encodedPath());
        assertEquals("2024-10-21", sent.getUrl().queryParameter("api-version"));
        assertEquals("azure-key-0123456789", sent.getHeaders().get("api-key"));
        assertNull(sent.getHeaders().get("Authorization"));
    }

    @Test
    void azureApiVersionComesFromTheEnvironment() throws Exception {
        server.enqueue(json(200, Fixtures.text("embeddings.json")));
        registry = ProviderRegistry.builder()
                .environment(Map.of("AZURE_API_KEY", "azure-key-0123456789", "AZURE_API_BASE",
                        server.url("/").toString(), "AZURE_API_VERSION", "2025-04-01-preview"))
                .build();

        registry.provider("azure").orElseThrow().call(Exchange.of(Operation.EMBEDDINGS,
                Body.json("{\"model\":\"embed\",\"input\":\"x\"}"), Headers.EMPTY), "embed");

        RecordedRequest sent = server.takeRequest();
        assertEquals("/openai/deployments/embed/embeddings", sent.getUrl().encodedPath());
        assertEquals("2025-04-01-preview", sent.getUrl().queryParameter("api-version"));
    }

    @Test
    void ollamaTakesCallsWithoutAKeyAndSendsNoAuthorization() throws Exception {
        server.enqueue(json(200, Fixtures.text("chat-completion.json")));
        registry = ProviderRegistry.builder()
                .environment(Map.of("OLLAMA_API_BASE", server.url("/v1").toString()))
                .build();
        Target target = registry.resolve("ollama/llama3.2");

        target.provider().call(chat("{\"model\":\"ollama/llama3.2\",\"messages\":[]}"), target.model());

        RecordedRequest sent = server.takeRequest();
        assertEquals("/v1/chat/completions", sent.getUrl().encodedPath());
        assertNull(sent.getHeaders().get("Authorization"));
        assertEquals("llama3.2", Body.MAPPER.readTree(sent.getBody().utf8()).path("model").asText());
    }

    @Test
    void modelsAreTheDataEntriesOfTheModelList() throws Exception {
        server.enqueue(json(200, Fixtures.text("models.json")));

        List<JsonNode> models = openAi().models();

        RecordedRequest sent = server.takeRequest();
        assertEquals("GET", sent.getMethod());
        assertEquals("/v1/models", sent.getUrl().encodedPath());
        assertEquals("Bearer " + KEY, sent.getHeaders().get("Authorization"));
        assertEquals(List.of("gpt-4o-mini", "text-embedding-3-small", "ft:gpt-4o-mini-2024-07-18:acme::9tXkqN2b"),
                models.stream().map(m -> m.path("id").asText()).toList());
        assertEquals("system", models.get(0).path("owned_by").asText());
    }

    @Test
    void modelListWithoutDataIsAnUpstreamFailure() {
        server.enqueue(json(200, "{\"object\":\"list\"}"));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi().models());

        assertEquals(502, failure.status());
    }

    @Test
    void modelListErrorsKeepTheUpstreamStatus() {
        server.enqueue(json(401, Fixtures.text("error-401.json")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> openAi().models());

        assertEquals(401, failure.status());
        assertEquals("invalid_api_key", failure.code().orElseThrow());
    }

    @Test
    void providerWithoutKeyIsNotAvailable() {
        registry = ProviderRegistry.builder().environment(Map.of()).build();

        assertFalse(registry.provider("openai").orElseThrow().available());
        assertTrue(registry.provider("ollama").orElseThrow().available());
    }

    @Test
    void anotherCompatibleServerIsCalledAtItsConfiguredBase() throws Exception {
        server.enqueue(json(200, Fixtures.text("chat-completion.json")));
        registry = ProviderRegistry.builder()
                .environment(Map.of("VLLM_API_KEY", "local-token-123456"))
                .provider(ProviderSettings.of("vllm")
                        .withApiBase(server.url("/serving/v1/").toString()))
                .build();
        Target target = registry.resolve("vllm/Qwen/Qwen2.5-7B-Instruct");

        target.provider().call(chat("{\"model\":\"vllm/Qwen/Qwen2.5-7B-Instruct\",\"messages\":[]}"),
                target.model());

        RecordedRequest sent = server.takeRequest();
        assertEquals("/serving/v1/chat/completions", sent.getUrl().encodedPath());
        assertEquals("Bearer local-token-123456", sent.getHeaders().get("Authorization"));
        assertEquals("Qwen/Qwen2.5-7B-Instruct",
                Body.MAPPER.readTree(sent.getBody().utf8()).path("model").asText());
    }

    private Provider openAi() {
        registry = Fixtures.registry(server);
        return registry.provider("openai").orElseThrow();
    }

    static Exchange chat(String body) {
        return Exchange.of(Operation.CHAT, Body.json(body), Headers.EMPTY);
    }

    static MockResponse json(int status, String body) {
        return WireFixtures.answer(status, body);
    }
}
