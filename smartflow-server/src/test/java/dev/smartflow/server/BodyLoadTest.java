package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway under a load of maximal bodies, in a JVM of its own started as the launcher starts it: the same heap
 * ({@code -Xmx320m}), collector and {@code -XX:+ExitOnOutOfMemoryError}, so an exhausted heap ends the process. Before
 * the body budget, ten concurrent 19 MB embeddings ended it that way, and so did eight 10 MB chats.
 */
class BodyLoadTest {
    /** The launcher's JVM options (see the {@code smartflow} script). */
    private static final List<String> LAUNCHER_OPTIONS = List.of("-XX:+UseParallelGC", "-Xms64m", "-Xmx320m",
            "-XX:+ExitOnOutOfMemoryError");
    private static final String MASTER = "sk-load-master-0123456789";
    private static final MediaType JSON = MediaType.get("application/json");
    private static final Pattern LISTENING = Pattern.compile("(proxy|management) listening on [^:]+:(\\d+)");
    private static final Pattern INFLIGHT = Pattern.compile("(?m)^smartflow_inflight_body_bytes (\\S+)$");
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz012345";

    @TempDir
    Path data;
    private final MockWebServer upstream = new MockWebServer();
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(120))
            .writeTimeout(Duration.ofSeconds(120)).callTimeout(Duration.ofSeconds(180)).build();
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> ports = new ConcurrentHashMap<>();
    private Process gateway;

    @BeforeEach
    void startUpstream() throws Exception {
        // what the upstream keeps of each body: its start, enough to answer by path
        upstream.setBodyLimit(4096);
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return Upstream.json(200, request.getUrl().encodedPath().endsWith("/embeddings")
                        ? Upstream.EMBEDDINGS : Upstream.CHAT);
            }
        });
        upstream.start();
    }

    private void startGateway(Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command());
        builder.environment().keySet().removeIf(name -> name.startsWith("SMARTFLOW_") || name.endsWith("_API_KEY")
                || name.endsWith("_API_BASE") || name.endsWith("_PORT"));
        builder.environment().putAll(Map.of("SMARTFLOW_MASTER_KEY", MASTER, "SMARTFLOW_HOST", "127.0.0.1",
                "PROXY_PORT", "0", "MANAGEMENT_PORT", "0", "OPENAI_API_KEY", "sk-upstream",
                "OPENAI_API_BASE", upstream.url("/v1").toString()));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        gateway = builder.start();
        Thread.ofPlatform().daemon().start(this::collectOutput);
        Audits.await(() -> ports.size() == 2 || !gateway.isAlive(), "the gateway listens");
        assertTrue(gateway.isAlive(), () -> "the gateway did not start:\n" + String.join("\n", output));
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.destroy();
            if (!gateway.waitFor(20, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
            }
        }
        upstream.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    @Test
    void maximalBodiesAtOnceAreServedOrRefusedAndTheHeapHolds() throws Exception {
        startGateway(Map.of());
        String key = virtualKey();
        long maxBody = ServerConfig.load(Optional.empty(), Map.of()).maxRequestBytes();
        List<Future<Answer>> calls = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 10; i++) {
                // one string as large as a body may be
                calls.add(clients.submit(() -> call("/v1/embeddings", new FilledBody(
                        "{\"model\":\"text-embedding-3-small\",\"input\":\"", LETTERS, "\"}", maxBody), key)));
            }
            for (int i = 0; i < 8; i++) {
                calls.add(clients.submit(() -> call("/v1/chat/completions", new FilledBody(
                        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"", LETTERS,
                        "\"}]}", 10_000_000), key)));
            }
            assertServedOrRefused(calls);
        }
        assertAliveAndReleased();
    }

    @Test
    void bodiesOfManySmallValuesAtOnceAreServedOrRefusedAndTheHeapHolds() throws Exception {
        startGateway(Map.of());
        String key = virtualKey();
        List<Future<Answer>> calls = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 16; i++) {
                // the tree of a chat of many short messages takes about 12 times its bytes
                calls.add(clients.submit(() -> call("/v1/chat/completions", new FilledBody(
                        "{\"model\":\"gpt-4o-mini\",\"messages\":[", "{\"role\":\"user\",\"content\":\"hi\"},",
                        "{\"role\":\"user\",\"content\":\"hi\"}]}", 2_000_000), key)));
            }
            assertServedOrRefused(calls);
        }
        assertAliveAndReleased();
    }

    private void assertServedOrRefused(List<Future<Answer>> calls) throws Exception {
        List<Answer> answers = new ArrayList<>();
        for (Future<Answer> call : calls) {
            answers.add(call.get(5, TimeUnit.MINUTES));
        }

        assertTrue(gateway.isAlive(), () -> "the gateway died:\n" + tail());
        for (Answer answer : answers) {
            assertTrue(answer.status == 200 || answer.status == 413 || answer.status == 503, answer::toString);
            if (answer.status != 200) {
                JsonNode error = Gateway.JSON.readTree(answer.body).path("error");
                assertFalse(error.path("message").asText().isBlank(), answer::toString);
                assertEquals(answer.status == 503 ? "server_busy" : "request_too_large",
                        error.path("code").asText(), answer::toString);
            }
            if (answer.status == 503) {
                assertEquals("1", answer.retryAfter, answer::toString);
            }
        }
        // the first body to arrive always fits, whichever it is
        assertTrue(answers.stream().anyMatch(answer -> answer.status == 200), answers::toString);
        System.out.println("body load answers: " + answers.stream().map(a -> a.path + " " + a.status).toList());
    }

    private void assertAliveAndReleased() throws Exception {
        assertTrue(gateway.isAlive(), () -> "the gateway died:\n" + tail());
        assertFalse(tail().contains("OutOfMemoryError"), this::tail);
        try (Response health = http.newCall(new Request.Builder().url(proxy("/health")).build()).execute()) {
            assertEquals(200, health.code());
        }
        Audits.await(() -> inFlightBodyBytes() == 0, "every body's charge is released");
    }

    private Answer call(String path, RequestBody body, String key) throws IOException {
        Request request = new Request.Builder().url(proxy(path)).header("authorization", "Bearer " + key)
                .post(body).build();
        try (Response response = http.newCall(request).execute()) {
            return new Answer(path, response.code(), response.body().string(), response.header("Retry-After"));
        }
    }

    private record Answer(String path, int status, String body, String retryAfter) {
        @Override
        public String toString() {
            return path + " " + status + " " + body.substring(0, Math.min(300, body.length())) + " retry-after="
                    + retryAfter;
        }
    }

    /**
     * {@code head}, {@code unit} as many times as fit, then {@code tail}: at most {@code length} bytes, generated as
     * they are sent, so the test holds none of it.
     */
    private static final class FilledBody extends RequestBody {
        private final byte[] head;
        private final byte[] unit;
        private final byte[] tail;
        private final long units;

        FilledBody(String head, String unit, String tail, long length) {
            this.head = head.getBytes(StandardCharsets.UTF_8);
            this.unit = unit.getBytes(StandardCharsets.UTF_8);
            this.tail = tail.getBytes(StandardCharsets.UTF_8);
            this.units = (length - this.head.length - this.tail.length) / this.unit.length;
        }

        @Override
        public MediaType contentType() {
            return JSON;
        }

        @Override
        public long contentLength() {
            return head.length + units * unit.length + tail.length;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            sink.write(head);
            for (long i = 0; i < units; i++) {
                sink.write(unit);
            }
            sink.write(tail);
        }
    }

    private String virtualKey() throws IOException {
        Request request = new Request.Builder().url(management("/api/enterprise/vkeys"))
                .header("authorization", "Bearer " + MASTER)
                .post(RequestBody.create("{\"name\":\"load\",\"owner_id\":\"load-test\"}", JSON)).build();
        try (Response response = http.newCall(request).execute()) {
            String body = response.body().string();
            assertEquals(201, response.code(), body);
            return Gateway.JSON.readTree(body).path("token").asText();
        }
    }

    private long inFlightBodyBytes() throws IOException {
        try (Response response = http.newCall(new Request.Builder().url(proxy("/metrics")).build()).execute()) {
            Matcher value = INFLIGHT.matcher(response.body().string());
            if (!value.find()) {
                fail("no smartflow_inflight_body_bytes in /metrics");
            }
            return (long) Double.parseDouble(value.group(1));
        }
    }

    private List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(LAUNCHER_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
                "--data", data.toString(), "--services", "proxy,management"));
        return command;
    }

    private void collectOutput() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(gateway.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                output.add(line);
                Matcher listening = LISTENING.matcher(line);
                if (listening.find()) {
                    ports.put(listening.group(1), Integer.parseInt(listening.group(2)));
                }
            }
        } catch (IOException e) {
            output.add("(output lost: " + e + ")");
        }
    }

    private String tail() {
        List<String> lines = new ArrayList<>(output);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private String proxy(String path) {
        return "http://127.0.0.1:" + ports.get("proxy") + path;
    }

    private String management(String path) {
        return "http://127.0.0.1:" + ports.get("management") + path;
    }
}
