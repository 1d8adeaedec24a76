package dev.smartflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void delayedAnswerArrivesWholeAfterTheDelayAndTheConnectionServesTheNextCall() throws Exception {
        try (FakeUpstream slow = FakeUpstream.start(0, new FakeUpstream.Options(3, 0, 50))) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + slow.port()
                            + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(CHAT))
                    .build();
            for (int call = 0; call < 2; call++) {
                long start = System.nanoTime();

                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

                assertTrue(System.nanoTime() - start >= Duration.ofMillis(50).toNanos());
                assertEquals(200, response.statusCode());
                assertTrue(response.body().contains("\"object\":\"chat.completion\""), response.body());
            }
            assertEquals(1, slow.connectionsAccepted());
            // a stream is not held back by the answer delay: its chunks come at once
            HttpResponse<String> stream = client.send(HttpRequest.newBuilder(request.uri())
                    .POST(HttpRequest.BodyPublishers.ofString(STREAM_CHAT)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(stream.body().endsWith("data: [DONE]\n\n"), stream.body());
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

    @Test
    void errorFaultsAnswerInOpenAiShape() throws Exception {
        HttpResponse<String> serverError = post("/v1/chat/completions", chat("fault:500"));
        HttpResponse<String> rateLimited = post("/v1/chat/completions", chat("fault:429"));

        assertEquals(500, serverError.statusCode());
        assertTrue(serverError.body().contains("\"type\":\"server_error\""), serverError.body());
        assertEquals(429, rateLimited.statusCode());
        assertEquals("1", rateLimited.headers().firstValue("retry-after").orElseThrow());
        assertTrue(rateLimited.body().contains("\"code\":\"rate_limit_exceeded\""), rateLimited.body());
    }

    @Test
    void garbageIsAComplete200ThatIsNotJson() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("fault:garbage"));

        assertEquals(200, response.statusCode());
        assertTrue(response.body().endsWith("<html>"), response.body());
    }

    @Test
    void resetAndTruncatedAnswersBreakOffMidBody() {
        assertThrows(IOException.class, () -> post("/v1/chat/completions", chat("fault:reset")));
        assertThrows(IOException.class, () -> post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                        + "\"fault:truncated\"}]}"));
    }

    @Test
    void dripStreamCompletes() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                        + "\"fault:drip\"}]}");

        assertEquals(200, response.statusCode());
        assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
    }

    @Test
    void statsCountFaultsAndListMarkedArrivals() throws Exception {
        post("/v1/chat/completions", chat("drill-seq:42 fault:500"));
        post("/v1/chat/completions", chat("drill-seq:43"));

        String stats = get("/stats");
        String received = get("/stats/received");

        assertTrue(stats.contains("\"chat_requests\":2,"), stats);
        assertTrue(stats.contains("\"ok\":1,\"500\":1,"), stats);
        List<String> lines = received.lines().toList();
        assertEquals(2, lines.size(), received);
        assertTrue(lines.get(0).matches("42 \\d{13}"), received);
        assertTrue(lines.get(1).matches("43 \\d{13}"), received);
    }

    /** The load client closes an abandoned call's connection, which ends the upstream's stall. */
    @Test
    void abandonedStallEndsWhenTheClientLeaves(@TempDir Path dir) throws Exception {
        try (DrillLoad load = new DrillLoad(DrillLoad.parse(new String[] {
                "--url", "http://127.0.0.1:" + upstream.port() + "/v1/chat/completions", "--keys", "sk-test",
                "--log", dir.resolve("calls").toString(), "--abandon-ms", "200"}))) {
            assertEquals("abandoned", load.call("sk-test", 7, FakeUpstream.Fault.ABANDON).code());
        }
        String stats = "";
        for (int i = 0; i < 100 && !stats.contains("\"abandon\":{\"closed\":1,"); i++) {
            Thread.sleep(50);
            stats = get("/stats");
        }
        assertTrue(stats.contains("\"abandon\":{\"closed\":1,"), stats);
    }

    private static String chat(String content) {
        return "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    private String get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
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
