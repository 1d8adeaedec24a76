package dev.smartflow.mcp;

import static dev.smartflow.mcp.AccessControlTest.call;
import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream on the deprecated HTTP+SSE transport of 2024-11-05 ({@link SseTestServer}), registered with
 * {@code transport: "sse"} or found by the fallback after its 405 to a POST: the handshake and calls go over its
 * stream, each client session has a stream of its own, garbage and foreign endpoints are -31502, and a stream that
 * drops is opened again.
 */
class SseUpstreamTest {
    @TempDir
    Path data;
    SseTestServer upstream;
    TestGateway gateway;

    @BeforeEach
    void start() {
        upstream = new SseTestServer();
        upstream.release();
        gateway = new TestGateway(data, Map.of(), "  upstream_timeout_seconds: 5\n");
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    private RpcClient client(String serverId) {
        RpcClient client = RpcClient.legacy(gateway.proxy("/" + serverId + "/mcp"), TestGateway.M);
        client.initialize("2025-11-25");
        return client;
    }

    @Test
    void aServerRegisteredAsSseIsInitializedAndCalledOverItsStream() {
        JsonNode server = gateway.register("{\"id\":\"legacy\",\"base_url\":\"" + upstream.url()
                + "\",\"transport\":\"sse\"}");
        RpcClient client = client("legacy");

        JsonNode tools = client.result("tools/list", Http.JSON.createObjectNode()).path("tools");
        JsonNode result = client.callTool("echo", args("text", "over sse"));

        assertEquals("sse", server.path("transport").asText());
        assertTrue(tools.toString().contains("\"echo\""), tools.toString());
        assertEquals("over sse", result.path("structuredContent").path("echo").asText());
        JsonNode initialize = upstream.received("initialize").getFirst();
        assertEquals("2024-11-05", initialize.path("params").path("protocolVersion").asText());
        assertEquals(upstream.received("initialize").size(), upstream.received("notifications/initialized").size());
    }

    @Test
    void aServerThatRefusesThePostIsFoundToSpeakSse() {
        JsonNode server = gateway.register("{\"id\":\"legacy\",\"base_url\":\"" + upstream.url() + "\"}");

        JsonNode result = client("legacy").callTool("add", args("a", "2", "b", "3"));

        assertEquals("streamable_http", server.path("transport").asText());
        assertEquals(5.0, result.path("structuredContent").path("sum").asDouble());
    }

    @Test
    void eachClientSessionHasAStreamAndUpstreamSessionOfItsOwn() {
        gateway.register("{\"id\":\"legacy\",\"base_url\":\"" + upstream.url() + "\",\"transport\":\"sse\"}");
        RpcClient first = client("legacy");
        RpcClient second = client("legacy");

        JsonNode a1 = first.callTool("counter", args());
        JsonNode a2 = first.callTool("counter", args());
        JsonNode b1 = second.callTool("counter", args());

        assertEquals(1, a1.path("structuredContent").path("count").asInt());
        assertEquals(2, a2.path("structuredContent").path("count").asInt());
        assertEquals(1, b1.path("structuredContent").path("count").asInt());
        assertEquals(a1.path("structuredContent").path("session"), a2.path("structuredContent").path("session"));
        assertTrue(!a1.path("structuredContent").path("session").equals(b1.path("structuredContent")
                .path("session")));
    }

    @Test
    void garbageOnTheStreamIsAnUpstreamFailureAndTheNextCallOpensANewStream() {
        gateway.register("{\"id\":\"legacy\",\"base_url\":\"" + upstream.url() + "\",\"transport\":\"sse\"}");
        RpcClient client = client("legacy");
        client.callTool("echo", args("text", "warm"));
        int opened = upstream.streamsOpened.size();
        upstream.garbageNext();

        Http.Reply reply = client.request("tools/call", call("echo", args("text", "x")));
        JsonNode again = client.callTool("echo", args("text", "after"));

        assertEquals(200, reply.status(), reply.body());
        assertEquals(-31502, reply.json().path("error").path("code").asInt(), reply.body());
        assertEquals("after", again.path("structuredContent").path("echo").asText());
        assertTrue(upstream.streamsOpened.size() > opened, "a new stream was opened");
    }

    @Test
    void aDroppedStreamIsOpenedAgainAtTheNextCall() {
        gateway.register("{\"id\":\"legacy\",\"base_url\":\"" + upstream.url() + "\",\"transport\":\"sse\"}");
        RpcClient client = client("legacy");
        client.callTool("echo", args("text", "before"));
        int opened = upstream.streamsOpened.size();

        upstream.dropAll();
        JsonNode after = client.callTool("echo", args("text", "after"));

        assertEquals("after", after.path("structuredContent").path("echo").asText());
        assertTrue(upstream.streamsOpened.size() > opened, "a new stream was opened");
    }

    @Test
    void anAnswerThatNeverComesIsATimeoutAndTheUpstreamIsToldToStop() {
        upstream.hold();
        try (TestGateway impatient = new TestGateway(data.resolve("impatient"), Map.of(),
                "  upstream_timeout_seconds: 1\n")) {
            impatient.register("{\"id\":\"legacy\",\"base_url\":\"" + upstream.url() + "\",\"transport\":\"sse\"}");
            RpcClient client = RpcClient.legacy(impatient.proxy("/legacy/mcp"), TestGateway.M);
            client.initialize("2025-11-25");

            Http.Reply reply = client.request("tools/call", call("slow", args()));

            assertEquals(-31504, reply.json().path("error").path("code").asInt(), reply.body());
            long upstreamId = upstream.received("tools/call").getLast().path("id").asLong();
            Await.until(Duration.ofSeconds(5), "the upstream was told", () -> upstream.received(
                    "notifications/cancelled").stream().anyMatch(m -> m.path("params").path("requestId").asLong()
                    == upstreamId));
        }
    }

    @Test
    void anEndpointOnAnotherOriginIsRefused() {
        upstream.endpoint("http://198.51.100.7:9/messages");
        gateway.register("{\"id\":\"legacy\",\"base_url\":\"" + upstream.url() + "\",\"transport\":\"sse\"}");
        RpcClient client = client("legacy");

        Http.Reply reply = client.request("tools/call", call("echo", args("text", "x")));

        assertEquals(-31502, reply.json().path("error").path("code").asInt(), reply.body());
        assertTrue(upstream.received.isEmpty(), "nothing was posted anywhere: " + upstream.received);
    }

    @Test
    void theCredentialsGoOnTheStreamAndTheSecretIsNeverShown() {
        JsonNode server = gateway.register("{\"id\":\"legacy\",\"base_url\":\"" + upstream.url()
                + "\",\"transport\":\"sse\",\"auth_type\":\"bearer\",\"auth\":{\"token\":\"sse-secret\"}}");

        client("legacy").callTool("echo", args("text", "x"));

        assertTrue(upstream.authorizations.contains("Bearer sse-secret"), upstream.authorizations.toString());
        assertTrue(!server.toString().contains("sse-secret"));
    }

    @Test
    void anUnknownTransportIsA400NamingTheField() {
        Http.Reply reply = Http.post(gateway.proxy("/api/mcp/servers"), "{\"id\":\"x\",\"base_url\":\""
                + upstream.url() + "\",\"transport\":\"websocket\"}", "Authorization", TestGateway.M);

        assertEquals(400, reply.status(), reply.body());
        assertTrue(reply.body().contains("transport"), reply.body());
        assertEquals(List.of(), upstream.streamsOpened);
    }
}
