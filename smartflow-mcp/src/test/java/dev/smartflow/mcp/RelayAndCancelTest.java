package dev.smartflow.mcp;

import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.testkit.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress and log notifications of the upstream reach a client that asked for them (a {@code progressToken}, an
 * {@code Accept} with {@code text/event-stream}) as SSE events before the result, with the client's own token; a
 * client's {@code notifications/cancelled} cancels its call in flight, and the upstream is told.
 */
class RelayAndCancelTest {
    private static final String SSE = "application/json, text/event-stream";

    @TempDir
    Path data;
    SseTestServer sseServer;
    TestMcpServer httpServer;
    TestGateway gateway;

    @BeforeEach
    void start() {
        sseServer = new SseTestServer();
        httpServer = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25).sse(true);
        gateway = new TestGateway(data, Map.of(), "  upstream_timeout_seconds: 20\n");
        gateway.register("{\"id\":\"slowpoke\",\"base_url\":\"" + sseServer.url() + "\",\"transport\":\"sse\"}");
        gateway.register("{\"id\":\"streamy\",\"base_url\":\"" + httpServer.url() + "\"}");
    }

    @AfterEach
    void stop() {
        gateway.close();
        sseServer.close();
        httpServer.close();
    }

    private static String toolCall(int id, String name, ObjectNode meta) {
        ObjectNode message = Http.JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id)
                .put("method", "tools/call");
        ObjectNode params = message.putObject("params").put("name", name);
        params.set("arguments", name.equals("echo") ? args("text", "hi") : args());
        if (meta != null) {
            params.set("_meta", meta);
        }
        return message.toString();
    }

    /** The JSON messages of an SSE body, in order. */
    private static List<JsonNode> events(String body) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data:")) {
                try {
                    events.add(Http.JSON.readTree(line.substring(5).strip()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return events;
    }

    @Test
    void progressAndLogsComeBeforeTheResultWithTheClientsToken() {
        sseServer.release();
        ObjectNode meta = Http.JSON.createObjectNode().put("progressToken", "my-token-7");

        Http.Reply reply = Http.post(gateway.proxy("/slowpoke/mcp"), toolCall(1, "slow", meta),
                "Authorization", TestGateway.M, "Accept", SSE);

        assertEquals(200, reply.status(), reply.body());
        assertTrue(reply.header("content-type").orElse("").startsWith("text/event-stream"), reply.headers()
                .toString());
        List<JsonNode> events = events(reply.body());
        assertEquals(4, events.size(), reply.body());
        assertEquals("notifications/progress", events.get(0).path("method").asText());
        assertEquals("my-token-7", events.get(0).path("params").path("progressToken").asText());
        assertEquals(1, events.get(0).path("params").path("progress").asInt());
        assertEquals(2, events.get(1).path("params").path("progress").asInt());
        assertEquals("notifications/message", events.get(2).path("method").asText());
        assertEquals("slow done", events.get(3).path("result").path("content").get(0).path("text").asText());
        assertEquals(1, events.get(3).path("id").asInt());
        String upstreamToken = sseServer.received("tools/call").getFirst().path("params").path("_meta")
                .path("progressToken").asText();
        assertTrue(upstreamToken.startsWith("sf-"), "the upstream got the gateway's own token: " + upstreamToken);
    }

    @Test
    void aLogMessageTheGuardrailFlagsIsNotRelayedFromAStrictServer() {
        sseServer.release();
        ObjectNode message = (ObjectNode) Http.JSON.valueToTree(Map.of("jsonrpc", "2.0", "id", 6,
                "method", "tools/call", "params", Map.of("name", "slow", "arguments", Map.of("say", "a leak here"),
                        "_meta", Map.of("progressToken", "t"))));

        Http.Reply reply = Http.post(gateway.proxy("/slowpoke/mcp"), message.toString(), "Authorization",
                TestGateway.M, "Accept", SSE);

        List<JsonNode> events = events(reply.body());
        assertEquals(3, events.size(), reply.body());
        assertTrue(events.stream().noneMatch(e -> e.path("method").asText().equals("notifications/message")),
                reply.body());
        assertEquals("slow done", events.getLast().path("result").path("content").get(0).path("text").asText());
    }

    @Test
    void aNumericTokenComesBackAsANumber() {
        sseServer.release();
        ObjectNode meta = Http.JSON.createObjectNode().put("progressToken", 42);

        Http.Reply reply = Http.post(gateway.proxy("/slowpoke/mcp"), toolCall(2, "slow", meta),
                "Authorization", TestGateway.M, "Accept", SSE);

        JsonNode first = events(reply.body()).getFirst();
        assertTrue(first.path("params").path("progressToken").isNumber(), first.toString());
        assertEquals(42, first.path("params").path("progressToken").asInt());
    }

    @Test
    void aStreamableHttpServersLogMessageIsRelayedToo() {
        ObjectNode meta = Http.JSON.createObjectNode().put("progressToken", "t");

        Http.Reply reply = Http.post(gateway.proxy("/streamy/mcp"), toolCall(3, "echo", meta),
                "Authorization", TestGateway.M, "Accept", SSE);

        List<JsonNode> events = events(reply.body());
        assertEquals(2, events.size(), reply.body());
        assertEquals("notifications/message", events.get(0).path("method").asText());
        assertEquals("working", events.get(0).path("params").path("data").asText());
        assertEquals("hi", events.get(1).path("result").path("structuredContent").path("echo").asText());
    }

    @Test
    void withoutATokenTheAnswerIsPlainJson() {
        sseServer.release();

        Http.Reply reply = Http.post(gateway.proxy("/slowpoke/mcp"), toolCall(4, "slow", null),
                "Authorization", TestGateway.M, "Accept", SSE);

        assertTrue(reply.header("content-type").orElse("").startsWith("application/json"), reply.body());
        assertEquals("slow done", reply.json().path("result").path("content").get(0).path("text").asText());
    }

    @Test
    void aClientWithoutSseGetsPlainJsonEvenWithAToken() {
        sseServer.release();
        ObjectNode meta = Http.JSON.createObjectNode().put("progressToken", "t");

        Http.Reply reply = Http.post(gateway.proxy("/slowpoke/mcp"), toolCall(5, "slow", meta),
                "Authorization", TestGateway.M, "Accept", "application/json");

        assertEquals("slow done", reply.json().path("result").path("content").get(0).path("text").asText());
    }

    @Test
    void aCancelledCallEndsAndTheUpstreamIsToldWhichRequest() throws Exception {
        CompletableFuture<Http.Reply> pending = CompletableFuture.supplyAsync(() -> Http.post(
                gateway.proxy("/slowpoke/mcp"), toolCall(77, "slow", null), "Authorization", TestGateway.M,
                "Accept", SSE));
        Await.until(Duration.ofSeconds(10), "the upstream got the call", () -> sseServer.received("tools/call")
                .stream().anyMatch(m -> m.path("params").path("name").asText().equals("slow")));
        long upstreamId = sseServer.received("tools/call").getLast().path("id").asLong();

        Http.Reply cancel = Http.post(gateway.proxy("/slowpoke/mcp"), "{\"jsonrpc\":\"2.0\",\"method\":"
                + "\"notifications/cancelled\",\"params\":{\"requestId\":77,\"reason\":\"user pressed stop\"}}",
                "Authorization", TestGateway.M, "Accept", SSE);
        Http.Reply answer = pending.get(10, TimeUnit.SECONDS);

        assertEquals(202, cancel.status());
        assertEquals(-31502, answer.json().path("error").path("code").asInt(), answer.body());
        Await.until(Duration.ofSeconds(5), "the upstream was told", () -> sseServer.received(
                "notifications/cancelled").stream().anyMatch(m -> m.path("params").path("requestId").asLong()
                == upstreamId));
    }

    @Test
    void anotherCallersCancelDoesNotTouchTheCall() throws Exception {
        TestGateway.Key other = gateway.createKey("{\"name\":\"other\",\"owner_id\":\"o\","
                + "\"tags\":{\"mcp_servers\":\"*\"}}");
        CompletableFuture<Http.Reply> pending = CompletableFuture.supplyAsync(() -> Http.post(
                gateway.proxy("/slowpoke/mcp"), toolCall(78, "slow", null), "Authorization", TestGateway.M));
        Await.until(Duration.ofSeconds(10), "the upstream got the call", () -> !sseServer.received("tools/call")
                .isEmpty());

        Http.Reply cancel = Http.post(gateway.proxy("/slowpoke/mcp"), "{\"jsonrpc\":\"2.0\",\"method\":"
                + "\"notifications/cancelled\",\"params\":{\"requestId\":78}}", "Authorization", other.bearer());
        sseServer.release();
        Http.Reply answer = pending.get(10, TimeUnit.SECONDS);

        assertEquals(202, cancel.status());
        assertEquals("slow done", answer.json().path("result").path("content").get(0).path("text").asText());
        assertTrue(sseServer.received("notifications/cancelled").isEmpty());
    }

    @Test
    void aStreamableHttpUpstreamIsToldWhichRequestInItsSession() throws Exception {
        List<RecordedRequest> notifications = new CopyOnWriteArrayList<>();
        List<String> callIds = new CopyOnWriteArrayList<>();
        try (MockWebServer stalling = new MockWebServer()) {
            stalling.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    JsonNode json;
                    try {
                        json = Http.JSON.readTree(request.getBody() == null ? "" : request.getBody().utf8());
                    } catch (IOException e) {
                        return new MockResponse.Builder().code(400).build();
                    }
                    String id = json.path("id").toString();
                    return switch (json.path("method").asText()) {
                        case "initialize" -> json(id, "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":"
                                + "{\"tools\":{}},\"serverInfo\":{\"name\":\"m\",\"version\":\"1\"}}").newBuilder()
                                .addHeader("Mcp-Session-Id", "stall-session").build();
                        case "tools/list" -> json(id, "{\"tools\":[{\"name\":\"wait\",\"inputSchema\":"
                                + "{\"type\":\"object\"}}]}");
                        case "tools/call" -> {
                            callIds.add(id);
                            yield new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build();
                        }
                        default -> {
                            notifications.add(request);
                            yield new MockResponse.Builder().code(202).build();
                        }
                    };
                }
            });
            stalling.start();
            gateway.register("{\"id\":\"stall\",\"base_url\":\"" + stalling.url("/mcp") + "\"}");
            CompletableFuture<Http.Reply> running = CompletableFuture.supplyAsync(() -> Http.post(
                    gateway.proxy("/stall/mcp"), toolCall(31, "wait", null), "Authorization", TestGateway.M));
            Await.until(Duration.ofSeconds(10), "the upstream got the call", () -> !callIds.isEmpty());

            Http.post(gateway.proxy("/stall/mcp"), "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                    + "\"params\":{\"requestId\":31}}", "Authorization", TestGateway.M);
            Http.Reply answer = running.get(10, TimeUnit.SECONDS);

            assertEquals(-31502, answer.json().path("error").path("code").asInt(), answer.body());
            Await.until(Duration.ofSeconds(5), "the upstream was told", () -> notifications.stream().anyMatch(r ->
                    r.getBody().utf8().contains("notifications/cancelled")
                            && r.getBody().utf8().contains("\"requestId\":" + callIds.getFirst())
                            && "stall-session".equals(r.getHeaders().get("Mcp-Session-Id"))));
        }
    }

    private static MockResponse json(String id, String result) {
        return new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}").build();
    }
}
