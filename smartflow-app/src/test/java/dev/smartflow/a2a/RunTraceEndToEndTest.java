package dev.smartflow.a2a;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.smartflow.mcp.McpModule;
import dev.smartflow.mcp.McpTestUpstream;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.Service;
import dev.smartflow.server.SmartflowServer;
import dev.smartflow.testkit.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One agent run through the whole gateway: a model call, an MCP tool call and an A2A task carrying one
 * {@code x-a2a-trace-id} appear in {@code GET /api/traces/{id}} in order with their totals; the kill switch refuses
 * the run's next call and ends its model stream in flight with an error event.
 */
class RunTraceEndToEndTest {
    private static final String MASTER = "sk-test-master-0123456789";
    private static final String M = "Bearer " + MASTER;
    private static final String COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":"
            + "\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":500,"
            + "\"total_tokens\":1500}}";

    @TempDir
    Path data;
    private HttpServer llm;
    /** Released by the test: the upstream's stream sends its second chunk only then. */
    private final CountDownLatch secondChunk = new CountDownLatch(1);
    private McpTestUpstream tools;
    private TestAgent agent;
    private SmartflowServer server;
    private String bearer;

    @BeforeEach
    void start() throws IOException {
        llm = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        llm.createContext("/v1/chat/completions", this::chat);
        llm.start();
        tools = new McpTestUpstream();
        agent = new TestAgent(false, false);
        Path config = data.resolve("smartflow.yaml");
        Files.writeString(config, "mcp:\n  state_prefix: \"e2e-mcp-" + UUID.randomUUID() + ":\"\n"
                + "a2a:\n  state_prefix: \"e2e-a2a-" + UUID.randomUUID() + ":\"\n");
        Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-upstream-0123456789", "OPENAI_API_BASE",
                "http://127.0.0.1:" + llm.getAddress().getPort() + "/v1");
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            ports.put(service, 0);
        }
        ServerConfig serverConfig = ServerConfig.load(Optional.of(config), env).withPorts(ports)
                .withServices(EnumSet.of(Service.PROXY, Service.MANAGEMENT)).withDataDir(data)
                .withMasterKey(MASTER);
        server = SmartflowServer.start(serverConfig, ProviderRegistry.builder().environment(new HashMap<>(env))
                .build(), List.of(new McpModule(), new A2aModule()));
        assertEquals(201, Http.post(proxy("/api/mcp/servers"), "{\"id\":\"tools\",\"base_url\":\"" + tools.url()
                + "\"}", "Authorization", M).status());
        assertEquals(201, Http.post(proxy("/api/a2a/agents"), "{\"id\":\"helper\",\"url\":\"" + agent.url()
                + "\",\"auth\":{\"type\":\"bearer\",\"token\":\"agent-secret\"},\"allowed_keys\":[\"*\"],"
                + "\"cost_per_task_usd\":0.01}", "Authorization", M).status());
        Http.Reply key = Http.post(management("/api/enterprise/vkeys"), "{\"name\":\"agent\",\"owner_id\":\"o\","
                + "\"tags\":{\"mcp_servers\":\"tools\"}}", "Authorization", M);
        assertEquals(201, key.status(), key.body());
        bearer = "Bearer " + key.json().path("token").asText();
    }

    @AfterEach
    void stop() {
        secondChunk.countDown();
        server.close();
        agent.close();
        tools.close();
        llm.stop(0);
    }

    private String proxy(String path) {
        return "http://127.0.0.1:" + server.port(Service.PROXY) + path;
    }

    private String management(String path) {
        return "http://127.0.0.1:" + server.port(Service.MANAGEMENT) + path;
    }

    /** The model upstream: a completion, or a stream whose second chunk waits for the test. */
    private void chat(HttpExchange http) throws IOException {
        String body = new String(http.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!body.contains("\"stream\":true")) {
            byte[] answer = COMPLETION.getBytes(StandardCharsets.UTF_8);
            http.getResponseHeaders().add("content-type", "application/json");
            http.sendResponseHeaders(200, answer.length);
            try (OutputStream out = http.getResponseBody()) {
                out.write(answer);
            }
            return;
        }
        http.getResponseHeaders().add("content-type", "text/event-stream");
        http.sendResponseHeaders(200, 0);
        try (OutputStream out = http.getResponseBody()) {
            out.write(chunk("Hel"));
            out.flush();
            if (!secondChunk.await(20, TimeUnit.SECONDS)) {
                return;
            }
            out.write(chunk("lo"));
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the gateway closed the stream of a stopped run: nobody reads the rest
        }
    }

    private static byte[] chunk(String text) {
        return ("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\",\"choices\":"
                + "[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"}}]}\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private Http.Reply chatCall(String trace) {
        return Http.post(proxy("/v1/chat/completions"), "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"plan the run\"}]}", "Authorization", bearer, "x-a2a-trace-id", trace);
    }

    @Test
    void oneTraceJoinsAModelCallAToolCallAndAnAgentTaskInOrderWithTotals() {
        String trace = "run-e2e-" + UUID.randomUUID();

        Http.Reply model = chatCall(trace);
        Http.Reply tool = Http.post(proxy("/tools/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"look it up\"}}}", "Authorization", bearer,
                "x-a2a-trace-id", trace);
        Http.Reply task = Http.post(proxy("/a2a/helper"), "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":"
                + "\"message/send\",\"params\":{\"message\":{\"kind\":\"message\",\"role\":\"user\",\"messageId\":"
                + "\"m1\",\"parts\":[{\"kind\":\"text\",\"text\":\"hello\"}]}}}", "Authorization", bearer,
                "x-a2a-trace-id", trace);

        assertEquals(200, model.status(), model.body());
        assertEquals(200, tool.status(), tool.body());
        assertEquals(200, task.status(), task.body());
        for (Http.Reply reply : List.of(model, tool, task)) {
            assertEquals(Optional.of(trace), reply.header("x-a2a-trace-id"));
        }
        assertEquals(List.of(trace), agent.last("").headers().entrySet().stream()
                .filter(h -> h.getKey().equalsIgnoreCase("x-a2a-trace-id")).findFirst().orElseThrow().getValue());
        // the audit log is written behind the requests
        Await.until(Duration.ofSeconds(10), "the run's three calls in the trace view", () -> {
            Http.Reply view = Http.get(management("/api/traces/" + trace), "Authorization", M);
            return view.status() == 200 && view.json().path("calls").size() == 3;
        });
        JsonNode view = Http.get(management("/api/traces/" + trace), "Authorization", M).json();
        JsonNode calls = view.path("calls");
        assertEquals("llm", calls.get(0).path("kind").asText(), view.toString());
        assertEquals("openai", calls.get(0).path("provider").asText());
        assertEquals(1000, calls.get(0).path("prompt_tokens").asLong());
        assertEquals(model.header("x-smartflow-request-id").orElseThrow(), calls.get(0).path("request_id").asText());
        assertEquals("mcp", calls.get(1).path("kind").asText());
        assertEquals("tools", calls.get(1).path("server").asText());
        assertEquals("echo", calls.get(1).path("tool").asText());
        assertEquals("a2a", calls.get(2).path("kind").asText());
        assertEquals("helper", calls.get(2).path("agent").asText());
        assertEquals(0, new BigDecimal("0.01").compareTo(calls.get(2).path("cost_usd").decimalValue()));
        JsonNode totals = view.path("totals");
        assertEquals(3, totals.path("calls").asInt());
        assertEquals(1, totals.path("by_kind").path("llm").asInt());
        assertEquals(1, totals.path("by_kind").path("mcp").asInt());
        assertEquals(1, totals.path("by_kind").path("a2a").asInt());
        assertEquals(1500, totals.path("total_tokens").asLong());
        BigDecimal sum = BigDecimal.ZERO;
        for (JsonNode call : calls) {
            sum = sum.add(call.path("cost_usd").decimalValue());
        }
        assertEquals(0, sum.compareTo(totals.path("cost_usd").decimalValue()));
        assertTrue(calls.get(0).path("cost_usd").decimalValue().signum() > 0, calls.get(0).toString());
        assertEquals("running", view.path("state").asText());
    }

    @Test
    void theKillSwitchRefusesTheRunsNextCallAndEndsItsStreamInFlight() throws Exception {
        String trace = "run-kill-" + UUID.randomUUID();
        HttpRequest request = HttpRequest.newBuilder(URI.create(proxy("/v1/chat/completions")))
                .header("Authorization", bearer).header("x-a2a-trace-id", trace)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}")).build();
        HttpResponse<Stream<String>> stream = HttpClient.newHttpClient().send(request,
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        assertEquals(Optional.of(trace), stream.headers().firstValue("x-a2a-trace-id"));
        Iterator<String> lines = stream.body().iterator();
        String first = lines.next();
        assertTrue(first.contains("Hel"), first);

        Http.Reply stopped = Http.post(management("/api/traces/" + trace + "/stop"), "", "Authorization", M);
        assertEquals(200, stopped.status(), stopped.body());
        secondChunk.countDown();

        List<String> rest = new ArrayList<>();
        lines.forEachRemaining(rest::add);
        String events = String.join("\n", rest);
        assertTrue(events.contains("\"code\":\"run_stopped\""), events);
        assertTrue(!events.contains("\"lo\""), events);
        Http.Reply refused = chatCall(trace);
        assertEquals(409, refused.status(), refused.body());
        assertEquals(Optional.of(trace), refused.header("x-a2a-trace-id"));
        assertEquals("run_stopped", refused.json().path("error").path("code").asText());
        assertEquals("stopped", Http.get(management("/api/traces/" + trace), "Authorization", M).json()
                .path("state").asText());
        assertEquals(404, Http.get(management("/api/traces/never-seen"), "Authorization", M).status());
        assertEquals(400, Http.get(management("/api/traces/bad%20id"), "Authorization", M).status());
    }

    @Test
    void aModelCallWithABadTraceIdIsA400InOpenAisShapeAndATraceparentIsHonoured() {
        Http.Reply bad = chatCall("spaces are not allowed");

        assertEquals(400, bad.status(), bad.body());
        assertEquals("invalid_trace_id", bad.json().path("error").path("code").asText());
        Http.Reply traced = Http.post(proxy("/v1/chat/completions"), "{\"model\":\"gpt-4o-mini\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", bearer, "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertEquals(Optional.of("4bf92f3577b34da6a3ce929d0e0e4736"), traced.header("x-a2a-trace-id"));
    }
}
