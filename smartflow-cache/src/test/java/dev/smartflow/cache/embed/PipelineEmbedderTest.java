package dev.smartflow.cache.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.keys.MasterKeyAuthenticator;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The provider embedder through a real pipeline (with an authenticator, as in the server) to an upstream speaking
 * OpenAI's embeddings wire format.
 */
class PipelineEmbedderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UPSTREAM_KEY = "sk-upstream-0123456789";

    @StartStop
    private final MockWebServer upstream = new MockWebServer();
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicInteger answered = new AtomicInteger();
    private volatile CountDownLatch holdFirst = new CountDownLatch(0);
    private volatile int answerDimensions = -1;
    private Smartflow smartflow;
    private PipelineEmbedder embedder;

    @BeforeEach
    void answerLikeOpenAi() {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                JsonNode body;
                try {
                    body = JSON.readTree(request.getBody().utf8());
                } catch (Exception e) {
                    return new MockResponse.Builder().code(400).build();
                }
                requests.add(body);
                authorizations.add(request.getHeaders().get("Authorization") + " " + request.getUrl().encodedPath());
                if (answered.getAndIncrement() == 0) {
                    holdFirst.await(10, TimeUnit.SECONDS);
                }
                int dimensions = answerDimensions > 0 ? answerDimensions : body.path("dimensions").asInt(1536);
                ObjectNode answer = JSON.createObjectNode().put("object", "list").put("model", "text-embedding-3-small");
                ArrayNode data = answer.putArray("data");
                JsonNode input = body.path("input");
                // last input first: the answer's index fields, not its order, say which vector is whose
                for (int i = input.size() - 1; i >= 0; i--) {
                    ArrayNode vector = data.addObject().put("object", "embedding").put("index", i).putArray("embedding");
                    for (float component : raw(input.get(i).asText(), dimensions)) {
                        vector.add(component);
                    }
                }
                answer.putObject("usage").put("prompt_tokens", 3).put("total_tokens", 3);
                return new MockResponse.Builder().addHeader("content-type", "application/json")
                        .body(answer.toString()).build();
            }
        });
        ProviderRegistry registry = ProviderRegistry.builder().environment(Map.of("OPENAI_API_KEY", UPSTREAM_KEY,
                "OPENAI_API_BASE", upstream.url("/v1").toString())).build();
        smartflow = Smartflow.builder().resolver(registry).pricing(registry.catalog())
                .authenticator(new MasterKeyAuthenticator("sk-master-0123456789")).build();
        embedder = PipelineEmbedder.builder(() -> smartflow).model("text-embedding-3-small").concurrency(1).build();
    }

    @AfterEach
    void close() {
        embedder.close();
        smartflow.close();
    }

    @Test
    void aTextIsEmbeddedByTheProviderAndNormalised() {
        float[] vector = embedder.embed("hello world");

        assertArrayEquals(unit(raw("hello world", 1536)), vector, 1e-6f);
        assertEquals(1.0, norm(vector), 1e-5);
        assertEquals("text-embedding-3-small:1536", embedder.model());
        JsonNode sent = requests.getFirst();
        assertEquals("text-embedding-3-small", sent.path("model").asText());
        assertEquals("[\"hello world\"]", sent.path("input").toString());
        assertEquals("float", sent.path("encoding_format").asText());
        assertTrue(sent.path("dimensions").isMissingNode());
        assertEquals("Bearer " + UPSTREAM_KEY + " /v1/embeddings", authorizations.getFirst());
    }

    @Test
    void embedAllKeepsTheInputOrder() {
        List<float[]> vectors = embedder.embedAll(List.of("alpha", "beta", "gamma"));

        assertArrayEquals(unit(raw("alpha", 1536)), vectors.get(0), 1e-6f);
        assertArrayEquals(unit(raw("beta", 1536)), vectors.get(1), 1e-6f);
        assertArrayEquals(unit(raw("gamma", 1536)), vectors.get(2), 1e-6f);
        assertEquals(1, requests.size());
    }

    @Test
    void textsArrivingWhileARequestIsUnderWayShareTheNextRequest() throws Exception {
        holdFirst = new CountDownLatch(1);
        CompletableFuture<float[]> first = CompletableFuture.supplyAsync(() -> embedder.embed("first"));
        Await.until(Duration.ofSeconds(10), "the first request reached the upstream", () -> requests.size() == 1);
        List<CompletableFuture<float[]>> later = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String text = "text " + i;
            later.add(CompletableFuture.supplyAsync(() -> embedder.embed(text), Thread::startVirtualThread));
        }
        Await.until(Duration.ofSeconds(10), "40 texts waiting", () -> embedder.waiting() == 40);

        holdFirst.countDown();

        assertArrayEquals(unit(raw("first", 1536)), first.get(10, TimeUnit.SECONDS), 1e-6f);
        for (int i = 0; i < 40; i++) {
            assertArrayEquals(unit(raw("text " + i, 1536)), later.get(i).get(10, TimeUnit.SECONDS), 1e-6f);
        }
        assertEquals(List.of(1, 32, 8), requests.stream().map(request -> request.path("input").size()).toList());
    }

    @Test
    void configuredDimensionsAreAskedFor() {
        try (PipelineEmbedder small = PipelineEmbedder.builder(() -> smartflow).model("text-embedding-3-small")
                .dimensions(256).build()) {
            assertEquals(256, small.embed("short").length);
            assertEquals(256, requests.getLast().path("dimensions").asInt());
            assertEquals("text-embedding-3-small:256", small.model());
        }
    }

    @Test
    void vectorsOfTheWrongLengthFailTheCall() {
        answerDimensions = 3;

        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> embedder.embed("short"));

        assertTrue(failure.getMessage().contains("3 dimensions"), failure.getMessage());
    }

    @Test
    void anUpstreamErrorReachesTheCallerAsThePipelineRaisedIt() {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(401).addHeader("content-type", "application/json")
                        .body("{\"error\":{\"message\":\"Incorrect API key\",\"type\":\"invalid_request_error\"}}")
                        .build();
            }
        });

        SmartflowException failure = assertThrows(SmartflowException.class, () -> embedder.embed("hello"));

        assertEquals(401, failure.status());
    }

    @Test
    void aModelOfUnknownLengthNeedsItConfigured() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> PipelineEmbedder.builder(() -> smartflow).model("some-embedder").build());

        assertTrue(failure.getMessage().contains("cache.embedder.dimensions"), failure.getMessage());
    }

    /** The upstream's vector for {@code text}: deterministic, not of unit length. */
    private static float[] raw(String text, int dimensions) {
        float[] vector = new float[dimensions];
        int seed = text.hashCode();
        for (int i = 0; i < dimensions; i++) {
            seed = seed * 1_103_515_245 + 12_345;
            vector[i] = ((seed >>> 8) % 2000) / 500f - 2f;
        }
        return vector;
    }

    private static float[] unit(float[] vector) {
        double norm = norm(vector);
        float[] scaled = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            scaled[i] = (float) (vector[i] / norm);
        }
        return scaled;
    }

    private static double norm(float[] vector) {
        double sum = 0;
        for (float component : vector) {
            sum += (double) component * component;
        }
        return Math.sqrt(sum);
    }
}
