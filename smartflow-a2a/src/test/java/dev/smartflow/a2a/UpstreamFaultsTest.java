package dev.smartflow.a2a;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
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
 * An agent that fails in the ways agents fail (a 500, garbage, silence, a stream broken off, gone), as a MockWebServer
 * behind a real gateway: each failure is a JSON-RPC error with a code that says which, and costs the caller nothing.
 */
class UpstreamFaultsTest {
    @TempDir
    Path data;
    MockWebServer agent;
    TestGateway gateway;
    TestGateway.Key key;
    final AtomicReference<MockResponse> onCall = new AtomicReference<>();

    @BeforeEach
    void start() throws IOException {
        agent = new MockWebServer();
        agent.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getUrl().encodedPath().equals("/.well-known/agent-card.json")) {
                    return new MockResponse.Builder().addHeader("Content-Type", "application/json").body(
                            "{\"name\":\"m\",\"description\":\"d\",\"version\":\"1\",\"supportedInterfaces\":[{\"url\""
                                    + ":\"" + agent.url("/rpc") + "\",\"protocolBinding\":\"JSONRPC\",\"protocolVersion"
                                    + "\":\"1.0\"}],\"capabilities\":{\"streaming\":true}}").build();
                }
                return onCall.get();
            }
        });
        agent.start();
        gateway = new TestGateway(data, Map.of(), "  upstream_timeout_seconds: 1\n");
        gateway.register("{\"id\":\"m\",\"url\":\"" + agent.url("/").toString().replaceAll("/$", "")
                + "\",\"allowed_keys\":[\"*\"],\"cost_per_task_usd\":0.5}");
        key = gateway.createKey("{\"name\":\"k\",\"owner_id\":\"o\",\"budget_usd\":10}");
    }

    @AfterEach
    void stop() {
        gateway.close();
        agent.close();
    }

    private static final String SEND = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message"
            + "\":{\"role\":\"ROLE_USER\",\"messageId\":\"m\",\"parts\":[{\"text\":\"hi\"}]}}}";

    private Http.Reply send(MockResponse response) {
        onCall.set(response);
        return Http.post(gateway.proxy("/a2a/m"), SEND, "Authorization", key.bearer(), "A2A-Version", "1.0");
    }

    private void assertNothingSpent() {
        JsonNode budget = Http.get(gateway.management("/api/enterprise/vkeys/" + key.id() + "/budget"),
                "Authorization", TestGateway.M).json().path("budget");
        assertEquals(0, BigDecimal.ZERO.compareTo(budget.path("spent_usd").decimalValue()), budget.toString());
        assertEquals(0, BigDecimal.ZERO.compareTo(budget.path("reserved_usd").decimalValue()), budget.toString());
    }

    @Test
    void a500IsAnUpstreamFailure() {
        Http.Reply reply = send(new MockResponse.Builder().code(500).body("boom").build());

        assertEquals(502, reply.status());
        assertEquals(-31502, reply.json().path("error").path("code").asInt(), reply.body());
        assertTrue(reply.json().path("error").path("message").asText().contains("500"));
        assertNothingSpent();
    }

    @Test
    void garbageIsAnInvalidAgentResponse() {
        Http.Reply reply = send(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("<html>not json</html>").build());

        assertEquals(-32006, reply.json().path("error").path("code").asInt(), reply.body());
        assertNothingSpent();
    }

    @Test
    void anAnswerWithoutAResultIsAnInvalidAgentResponse() {
        Http.Reply reply = send(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("{\"jsonrpc\":\"2.0\",\"id\":1}").build());

        assertEquals(-32006, reply.json().path("error").path("code").asInt(), reply.body());
    }

    @Test
    void silenceIsATimeout() {
        Http.Reply reply = send(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());

        assertEquals(504, reply.status());
        assertEquals(-31504, reply.json().path("error").path("code").asInt(), reply.body());
        assertNothingSpent();
    }

    @Test
    void anAgentThatIsGoneIsAnUpstreamFailure() {
        agent.close();

        Http.Reply reply = Http.post(gateway.proxy("/a2a/m"), SEND, "Authorization", key.bearer());

        assertEquals(-31502, reply.json().path("error").path("code").asInt(), reply.body());
        assertNothingSpent();
    }

    @Test
    void aStreamBrokenOffEndsWithAnErrorEvent() {
        String first = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"task\":{\"id\":\"t\",\"status\":{\"state\":"
                + "\"TASK_STATE_WORKING\"}}}}";
        onCall.set(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body("data: " + first + "\n\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"artifactUpdate\":"
                        + "x".repeat(20_000))
                .onResponseBody(new SocketEffect.CloseSocket(true, false, false)).build());

        List<JsonNode> events = new ArrayList<>();
        try (Sse stream = Sse.post(gateway.proxy("/a2a/m"), SEND.replace("SendMessage", "SendStreamingMessage"),
                "Authorization", key.bearer(), "A2A-Version", "1.0")) {
            for (JsonNode event = stream.next(); event != null; event = stream.next()) {
                events.add(event);
            }
        }

        assertFalse(events.isEmpty());
        JsonNode last = events.getLast();
        assertEquals(-31502, last.path("error").path("code").asInt(), events.toString());
        assertEquals(1, last.path("id").asInt());
        for (JsonNode event : events.subList(0, events.size() - 1)) {
            assertNotNull(event.path("result").path("task").path("id").textValue(), event.toString());
        }
    }

    @Test
    void anAgentsOwnErrorPassesThroughWithItsCode() {
        Http.Reply reply = send(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32005,\"message\":\"no images\"}}").build());

        assertEquals(200, reply.status());
        assertEquals(-32005, reply.json().path("error").path("code").asInt());
        assertEquals("no images", reply.json().path("error").path("message").asText());
        assertNothingSpent();
    }
}
