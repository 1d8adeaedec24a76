package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.smartflow.testkit.Await;
import dev.smartflow.testkit.TcpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okhttp3.Response;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Fallback chains through the real proxy: three OpenAI-wire upstreams (openai, groq, mistral), chains created over the
 * management API, calls over plain HTTP and the official OpenAI Java SDK.
 */
class RoutingEndToEndTest {
    private static final String GROQ_KEY = "gsk-e2e-groq-0123456789";
    private static final String MISTRAL_KEY = "mistral-e2e-key-0123456789";
    private static final String MASTER = "Bearer " + Gateway.MASTER;
    private static final String CHAT = "/v1/chat/completions";
    private static final String TARGETS = "[{\"provider\":\"openai\",\"model\":\"gpt-4o-mini\"},"
            + "{\"provider\":\"groq\",\"model\":\"llama-3.3-70b-versatile\"},"
            + "{\"provider\":\"mistral\",\"model\":\"mistral-small-latest\"}]";

    @TempDir
    Path data;
    Upstream openai;
    Upstream groq;
    Upstream mistral;
    Gateway gateway;

    @BeforeEach
    void start() throws IOException {
        openai = new Upstream();
        groq = new Upstream();
        mistral = new Upstream();
        gateway = new Gateway(openai, data, environment());
    }

    private Map<String, String> environment() {
        return Map.of("GROQ_API_KEY", GROQ_KEY, "GROQ_API_BASE", groq.base(), "MISTRAL_API_KEY", MISTRAL_KEY,
                "MISTRAL_API_BASE", mistral.base());
    }

    @AfterEach
    void stop() {
        gateway.close();
        openai.close();
        groq.close();
        mistral.close();
    }

    private void createChain(String body) throws IOException {
        try (Response response = gateway.post(gateway.url(Service.MANAGEMENT, RoutingApiTest.CHAINS), body,
                "authorization", MASTER)) {
            assertEquals(201, response.code(), response.body().string());
        }
    }

    private JsonNode management(String method, String path, String body) throws IOException {
        try (Response response = gateway.send(method, gateway.url(Service.MANAGEMENT, path), body,
                "authorization", MASTER)) {
            String text = response.body().string();
            assertEquals(200, response.code(), text);
            return Gateway.JSON.readTree(text);
        }
    }

    private Response chat(String model, boolean stream) throws IOException {
        return gateway.post(gateway.proxy(CHAT), "{\"model\":\"" + model + "\"," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "authorization", MASTER);
    }

    private static MockResponse failure(String kind) {
        return kind.equals("500") ? Upstream.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}")
                : new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket(true, false, false)).build();
    }

    @ParameterizedTest(name = "{0}, first target fails with {1}")
    @CsvSource({
            "priority, 500", "round_robin, 500", "weighted, 500", "least_connections, 500", "random, 500",
            "latency, 500", "cost, 500",
            "priority, reset", "round_robin, reset", "weighted, reset", "least_connections, reset", "random, reset",
            "latency, reset", "cost, reset"})
    void everyCallIsServedWhenTheFirstTargetFails(String strategy, String kind) throws Exception {
        // given
        openai.answer(CHAT, failure(kind));
        createChain("{\"name\":\"prod\",\"strategy\":\"" + strategy + "\",\"targets\":" + TARGETS + "}");

        for (int i = 0; i < 8; i++) {
            int triedBefore = openai.server.getRequestCount();

            // when
            try (Response response = chat("prod", false)) {
                // then: served by a healthy target, the headers naming it and counting the attempts
                assertEquals(200, response.code(), response.body().string());
                String provider = response.header("x-smartflow-provider");
                assertNotEquals("openai", provider);
                assertEquals(provider.equals("groq") ? "llama-3.3-70b-versatile" : "mistral-small-latest",
                        response.header("x-smartflow-model"));
                boolean triedOpenAi = openai.server.getRequestCount() > triedBefore;
                assertEquals(triedOpenAi ? "2" : "1", response.header("x-smartflow-attempts"),
                        "call " + i + " via " + provider);
            }
        }
        assertEquals(8, groq.server.getRequestCount() + mistral.server.getRequestCount());
    }

    @Test
    void priorityChainThroughTheOpenAiSdkIsServedByTheSecondTarget() throws Exception {
        openai.answer(CHAT, failure("500"));
        createChain("{\"name\":\"prod\",\"targets\":" + TARGETS + "}");
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(gateway.proxy("/v1")).apiKey(Gateway.MASTER)
                .maxRetries(0).build();
        try (HttpResponseFor<ChatCompletion> response = client.chat().completions().withRawResponse().create(
                ChatCompletionCreateParams.builder().model("prod").addUserMessage("hi").build())) {
            assertEquals("Hello from upstream",
                    response.parse().choices().get(0).message().content().orElseThrow());
            assertEquals("groq", response.headers().values("x-smartflow-provider").getFirst());
            assertEquals("llama-3.3-70b-versatile", response.headers().values("x-smartflow-model").getFirst());
            assertEquals("2", response.headers().values("x-smartflow-attempts").getFirst());
        } finally {
            client.close();
        }
        assertEquals("Bearer " + GROQ_KEY, groq.server.takeRequest().getHeaders().get("Authorization"));
    }

    @Test
    void chainWhoseEveryTargetFailsIsA503ChainExhaustedListingTheAttemptsWithoutKeys() throws Exception {
        // given
        openai.answer(CHAT, failure("500"));
        groq.answer(CHAT, failure("reset"));
        createChain("{\"name\":\"doomed\",\"max_retries\":1,\"targets\":[{\"provider\":\"openai\","
                + "\"model\":\"gpt-4o-mini\"},{\"provider\":\"groq\",\"model\":\"llama-3.3-70b-versatile\"}]}");

        // when
        try (Response response = chat("doomed", false)) {
            // then
            assertEquals(503, response.code());
            JsonNode error = Gateway.json(response).path("error");
            assertEquals("chain_exhausted", error.path("code").asText());
            assertEquals("server_error", error.path("type").asText());
            assertTrue(error.has("param"));
            String message = error.path("message").asText();
            assertTrue(message.contains("openai/gpt-4o-mini: 500"), message);
            assertTrue(message.contains("groq/llama-3.3-70b-versatile: 502"), message);
            for (String secret : new String[] {Gateway.UPSTREAM_KEY, GROQ_KEY, Gateway.MASTER, "127.0.0.1"}) {
                assertFalse(message.contains(secret), message);
            }
        }
        assertEquals(1, openai.server.getRequestCount());
        assertEquals(1, groq.server.getRequestCount());
    }

    @Test
    void forcedProviderTakesEveryCallUntilTheForceIsDeleted() throws Exception {
        // given
        management("POST", RoutingApiTest.FORCE, "{\"provider\":\"mistral\",\"duration_seconds\":300}");

        // when
        try (Response forced = chat("gpt-4o-mini", false)) {
            // then
            assertEquals(200, forced.code());
            assertEquals("mistral", forced.header("x-smartflow-provider"));
        }
        assertEquals(0, openai.server.getRequestCount());
        assertEquals(1, mistral.server.getRequestCount());

        // when
        management("DELETE", RoutingApiTest.FORCE, null);
        try (Response usual = chat("gpt-4o-mini", false)) {
            // then
            assertEquals("openai", usual.header("x-smartflow-provider"));
        }
        assertEquals(1, openai.server.getRequestCount());
    }

    @Test
    void providerHealthShowsTheFailingProvidersErrors() throws Exception {
        // given
        openai.answer(CHAT, failure("500"));
        createChain("{\"name\":\"prod\",\"targets\":" + TARGETS + "}");
        for (int i = 0; i < 3; i++) {
            try (Response response = chat("prod", false)) {
                assertEquals(200, response.code());
            }
        }

        // when
        JsonNode health = management("GET", "/api/providers/health", null);

        // then
        Map<String, JsonNode> byName = new HashMap<>();
        health.path("providers").forEach(p -> byName.put(p.path("provider").asText(), p));
        JsonNode failing = byName.get("openai");
        assertEquals(3, failing.path("requests_total").asLong(), health.toString());
        assertEquals(1.0, failing.path("error_rate").asDouble());
        assertEquals(0.0, failing.path("success_rate").asDouble());
        assertNotEquals("healthy", failing.path("status").asText());
        assertEquals("healthy", byName.get("groq").path("status").asText());
        assertEquals(3, byName.get("groq").path("requests_total").asLong());
        assertEquals(0, byName.get("mistral").path("requests_total").asLong());
        JsonNode status = management("GET", "/api/routing/status", null);
        assertEquals("openai", status.path("last_failure").path("provider").asText());
        assertEquals("openai/gpt-4o-mini", status.path("last_failure").path("target").asText());
    }

    /**
     * Restarts the gateway with the chain {@code cut}: its first target is reached through a relay the test can cut
     * (a second OpenAI account behind its own base, its key in the gateway's environment), then groq.
     */
    private void useRelay(TcpProxy relay) throws IOException {
        gateway.close();
        Map<String, String> env = new HashMap<>(environment());
        env.put("OPENAI_RELAY_KEY", "sk-relay-0123456789");
        gateway = new Gateway(openai, data, env);
        createChain("{\"name\":\"cut\",\"targets\":[{\"provider\":\"openai\",\"model\":\"gpt-4o-mini\","
                + "\"api_base\":\"http://127.0.0.1:" + relay.port() + "/v1\",\"api_key_env\":\"OPENAI_RELAY_KEY\"},"
                + "{\"provider\":\"groq\",\"model\":\"llama-3.3-70b-versatile\"}]}");
    }

    @Test
    void streamThatBreaksAfterItsFirstChunkEndsWithAnErrorEventAndNoDone() throws Exception {
        // given: the first target sends its first chunk, then holds the rest
        CountDownLatch release = new CountDownLatch(1);
        openai.answer(CHAT, Upstream.heldStream(release, Upstream.STREAM[1], Upstream.STREAM[2]));
        try (TcpProxy relay = TcpProxy.to("127.0.0.1", openai.server.getPort())) {
            useRelay(relay);
            Response response = chat("cut", true);
            assertEquals(200, response.code());
            assertEquals("openai", response.header("x-smartflow-provider"));
            BufferedSource body = response.body().source();
            String first = body.readUtf8LineStrict();
            assertTrue(first.startsWith("data: ") && first.contains("\"Hel\""), first);

            // when: the upstream's connection breaks after the client has the first chunk
            relay.cut();

            // then: the stream is the client's once its first chunk left, so it ends with an error event, no [DONE]
            String rest = body.readUtf8();
            String last = rest.strip().substring(rest.strip().lastIndexOf("data: ") + "data: ".length());
            JsonNode error = Gateway.JSON.readTree(last).path("error");
            assertEquals("upstream_unavailable", error.path("code").asText(), rest);
            assertEquals("upstream_error", error.path("type").asText(), rest);
            assertFalse(rest.contains("[DONE]"), rest);
            assertFalse(rest.contains("lo!"), rest);
            response.close();
        } finally {
            release.countDown();
        }
        assertEquals(0, groq.server.getRequestCount());
    }

    @Test
    void streamThatFailsBeforeItsFirstChunkFailsOverToTheNextTarget() throws Exception {
        // given: the first target answers its headers, then nothing
        CountDownLatch release = new CountDownLatch(1);
        openai.answer(CHAT, Upstream.heldBeforeFirstChunk(release));
        try (TcpProxy relay = TcpProxy.to("127.0.0.1", openai.server.getPort())) {
            useRelay(relay);
            CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> {
                try {
                    return chat("cut", true);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Await.until(Duration.ofSeconds(5), "the first target has the call",
                    () -> openai.server.getRequestCount() == 1);

            // when: its connection breaks before a chunk came
            relay.cut();

            // then: the call fails over, and the client sees only the second target's stream
            try (Response response = call.get(10, TimeUnit.SECONDS)) {
                assertEquals(200, response.code());
                assertEquals("groq", response.header("x-smartflow-provider"));
                assertEquals("2", response.header("x-smartflow-attempts"));
                String text = response.body().string();
                assertTrue(text.contains("\"Hel\"") && text.contains("\"lo!\""), text);
                assertTrue(text.strip().endsWith("data: [DONE]"), text);
            }
        } finally {
            release.countDown();
        }
        assertEquals(1, openai.server.getRequestCount());
    }

    @Test
    void targetWithItsOwnBaseAndKeyVariableIsCalledThereWithThatKey() throws Exception {
        // given: a second OpenAI account behind its own base, its key in a variable of the gateway's environment
        gateway.close();
        try (Upstream second = new Upstream()) {
            Map<String, String> env = new HashMap<>();
            env.put("OPENAI_SECOND_KEY", "sk-second-account-0123456789");
            gateway = new Gateway(openai, data, env);
            createChain("{\"name\":\"accounts\",\"targets\":[{\"provider\":\"openai\",\"model\":\"gpt-4o-mini\","
                    + "\"api_base\":\"" + second.base() + "\",\"api_key_env\":\"OPENAI_SECOND_KEY\"}]}");

            // when
            try (Response response = chat("accounts", false)) {
                // then
                assertEquals(200, response.code());
                assertEquals("openai", response.header("x-smartflow-provider"));
            }
            assertEquals("Bearer sk-second-account-0123456789",
                    second.server.takeRequest().getHeaders().get("Authorization"));
            assertEquals(0, openai.server.getRequestCount());
        }
    }
}
