package dev.smartflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class FakeUpstreamTest {

    private static final String CHAT = """
            {"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}]}""";
    private static final String STREAM_CHAT = """
            {"model":"gpt-4o-mini", "stream": true, "messages":[{"role":"user","content":"Say hello"}]}""";

    private FakeUpstream upstream;
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        upstream = FakeUpstream.start(0, new FakeUpstream.Options(3, 0));
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        upstream.close();
    }

    @Test
    void plainChatCompletion() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", CHAT);

        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
        assertTrue(response.body().contains("\"object\":\"chat.completion\""), response.body());
        assertTrue(response.body().contains("\"usage\":{\"prompt_tokens\":"), response.body());
        assertTrue(response.body().contains("\"total_tokens\":"), response.body());
    }

    @Test
    void streamedChatCompletionEndsWithDone() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", STREAM_CHAT);

        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream", response.headers().firstValue("content-type").orElseThrow());
        String body = response.body();
        assertEquals(4, body.split("\n\n").length, body);
        assertTrue(body.contains("\"finish_reason\":\"stop\""), body);
        assertTrue(body.contains("\"usage\""), body);
        assertTrue(body.endsWith("data: [DONE]\n\n"), body);
    }

    @Test
    void chunkedRequestBodyIsDecoded() throws Exception {
        byte[] bytes = STREAM_CHAT.getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
                .build();

        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
    }

    @Test
    void delayedChunksStillComplete() throws Exception {
        try (FakeUpstream slow = FakeUpstream.start(0, new FakeUpstream.Options(4, 5))) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + slow.port()
                            + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(STREAM_CHAT))
                    .build();
            long start = System.nanoTime();

            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

            assertTrue(System.nanoTime() - start >= Duration.ofMillis(15).toNanos());
            assertEquals(5, response.body().split("\n\n").length, response.body());
            assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
        }
    }

    @Test
    void embeddingsAndModels() throws Exception {
        HttpResponse<String> embeddings = post("/v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}");
        HttpResponse<String> models = client.send(HttpRequest.newBuilder(uri("/v1/models")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, embeddings.statusCode());
        assertTrue(embeddings.body().contains("\"object\":\"embedding\""), embeddings.body());
        assertEquals(200, models.statusCode());
        assertEquals(2, models.body().split("\"object\":\"model\"").length - 1, models.body());
    }

    @Test
    void unknownRouteGivesOpenAiError() throws Exception {
        HttpResponse<String> response = post("/v1/nope", CHAT);

        assertEquals(404, response.statusCode());
        assertTrue(response.body().startsWith("{\"error\":{\"message\":\""), response.body());
        assertTrue(response.body().endsWith("\"type\":\"invalid_request_error\",\"code\":\"not_found\"}}"),
                response.body());
    }

    @Test
    void ignoresH2cUpgradeAndAnswersHttp11() throws Exception {
        try (HttpClient defaultClient = HttpClient.newHttpClient()) {
            HttpResponse<String> response = defaultClient.send(
                    HttpRequest.newBuilder(uri("/v1/models")).GET().build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertEquals(HttpClient.Version.HTTP_1_1, response.version());
        }
    }

    @Test
    void keepAliveServesManyRequestsOnOneConnection() throws Exception {
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> response = post("/v1/chat/completions", i % 2 == 0 ? CHAT : STREAM_CHAT);
            assertEquals(200, response.statusCode());
        }

        assertEquals(1, upstream.connectionsAccepted());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer sk-test")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + upstream.port() + path);
    }
}
