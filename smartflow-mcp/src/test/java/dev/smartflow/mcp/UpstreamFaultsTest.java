package dev.smartflow.mcp;

import static dev.smartflow.mcp.AccessControlTest.call;
import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.testkit.Await;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
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
 * An upstream that misbehaves on {@code tools/call} (garbage, a 500, silence, a stream cut short, a dropped
 * connection) gets the client a JSON-RPC error of the gateway's (-31502 failed, -31504 timed out), never a 500 or a
 * hang. The upstream is a MockWebServer speaking the 2025-11-25 handshake.
 */
class UpstreamFaultsTest {
    private static final String TOOLS = "{\"tools\":[{\"name\":\"echo\",\"inputSchema\":{\"type\":\"object\"}}]}";

    @TempDir
    Path data;
    MockWebServer upstream;
    TestGateway gateway;
    final AtomicReference<Function<String, MockResponse>> onCall = new AtomicReference<>();
    final List<String> answered = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        upstream = new MockWebServer();
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String body = request.getBody() == null ? "" : request.getBody().utf8();
                JsonNode json;
                try {
                    json = Http.JSON.readTree(body);
                } catch (IOException e) {
                    return new MockResponse.Builder().code(400).build();
                }
                String id = json.path("id").toString();
                return switch (json.path("method").asText()) {
                    case "initialize" -> rpc("{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":{}},"
                            + "\"serverInfo\":{\"name\":\"mock\",\"version\":\"1\"}}", id).newBuilder()
                            .addHeader("Mcp-Session-Id", "mock-session").build();
                    case "notifications/initialized" -> new MockResponse.Builder().code(202).build();
                    case "tools/list" -> rpc(TOOLS, id);
                    case "tools/call" -> onCall.get().apply(id);
                    case "" -> {
                        answered.add(body);
                        yield new MockResponse.Builder().code(202).build();
                    }
                    default -> new MockResponse.Builder().code(400).body("{\"error\":\"no\"}").build();
                };
            }
        });
        upstream.start();
        gateway = new TestGateway(data, Map.of(), "  upstream_timeout_seconds: 1\n");
        gateway.register("{\"id\":\"mock\",\"base_url\":\"" + upstream.url("/mcp") + "\"}");
    }

    @AfterEach
    void stop() throws IOException {
        gateway.close();
        upstream.close();
    }

    private static MockResponse rpc(String result, String id) {
        return new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}").build();
    }

    private JsonNode failingCall(MockResponse response) {
        onCall.set(id -> response);
        RpcClient client = RpcClient.legacy(gateway.proxy("/mock/mcp"), TestGateway.M);
        client.initialize("2025-11-25");
        Http.Reply reply = client.request("tools/call", call("echo", args("text", "x")));
        assertEquals(200, reply.status(), reply.body());
        return reply.json().path("error");
    }

    @Test
    void garbageIsAnUpstreamFailure() {
        JsonNode error = failingCall(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("<html>oops</html>").build());

        assertEquals(-31502, error.path("code").asInt());
    }

    @Test
    void aServerErrorIsAnUpstreamFailure() {
        assertEquals(-31502, failingCall(new MockResponse.Builder().code(500).body("boom").build()).path("code")
                .asInt());
    }

    @Test
    void aJsonRpcErrorOfTheUpstreamIsPassedOn() {
        JsonNode error = failingCall(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{\"code\":-32602,\"message\":\"bad arguments\"}}")
                .build());

        assertEquals(-32602, error.path("code").asInt());
        assertEquals("bad arguments", error.path("message").asText());
    }

    @Test
    void silenceIsATimeout() {
        JsonNode error = failingCall(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE)
                .build());

        assertEquals(-31504, error.path("code").asInt());
    }

    @Test
    void aStreamThatEndsBeforeItsAnswerIsAnUpstreamFailure() {
        JsonNode error = failingCall(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n")
                .build());

        assertEquals(-31502, error.path("code").asInt());
    }

    @Test
    void aDroppedConnectionIsAnUpstreamFailure() {
        JsonNode error = failingCall(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[" + "x".repeat(5000))
                .onResponseBody(new SocketEffect.CloseSocket(true, false, false)).build());

        assertEquals(-31502, error.path("code").asInt());
    }

    @Test
    void aSlowStreamIsReadToItsAnswerAndTheUpstreamsOwnRequestIsRefused() {
        onCall.set(id -> new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body("data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}\n\n"
                        + "data: {\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"roots/list\"}\n\n"
                        + "data: {\"jsonrpc\":\"2.0\",\"id\":12345,\"result\":{\"content\":[]}}\n\n"
                        + "data: {\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":"
                        + "\"text\",\"text\":\"late but right\"}]}}\n\n")
                .throttleBody(32, 5, TimeUnit.MILLISECONDS).build());
        RpcClient client = RpcClient.legacy(gateway.proxy("/mock/mcp"), TestGateway.M);
        client.initialize("2025-11-25");

        JsonNode result = client.callTool("echo", args("text", "x"));

        assertEquals("late but right", result.path("content").get(0).path("text").asText());
        Await.until(Duration.ofSeconds(5), "the gateway refused the upstream's roots/list", () -> answered.stream()
                .anyMatch(body -> body.contains("\"id\":\"x\"") && body.contains("-32601")));
    }
}
