package dev.smartflow.mcp;

import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.server.testing.SharedServers;
import dev.smartflow.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways on one real Redis (keys under a prefix of the test's own) and one PostgreSQL: a client's session opened
 * on one instance is served by the other, in the same upstream session; another client never shares it.
 */
class SessionsAcrossInstancesTest {
    @RegisterExtension
    static final SharedServers SHARED = new SharedServers("mcp-test-");

    @TempDir
    Path data;

    @Test
    void aSessionOpenedOnOneInstanceContinuesOnTheOtherInItsOwnUpstreamSession() {
        Map<String, String> env = SHARED.env();
        String prefix = SHARED.prefix();
        try (TestMcpServer upstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
             TestGateway first = new TestGateway(data.resolve("a"), env, "", prefix);
             TestGateway second = new TestGateway(data.resolve("b"), env, "", prefix)) {
            first.register("{\"id\":\"stateful\",\"base_url\":\"" + upstream.url() + "\"}");
            TestGateway.Key key = first.createKey("{\"name\":\"k\",\"owner_id\":\"o\","
                    + "\"tags\":{\"mcp_servers\":\"stateful\"}}");
            RpcClient onFirst = RpcClient.legacy(first.proxy("/stateful/mcp"), key.bearer());
            onFirst.initialize("2025-11-25");
            RpcClient onSecond = RpcClient.legacy(second.proxy("/stateful/mcp"), key.bearer());
            onSecond.session = onFirst.session;
            onSecond.version = onFirst.version;

            JsonNode one = onFirst.callTool("counter", args());
            JsonNode two = onSecond.callTool("counter", args());
            JsonNode three = onFirst.callTool("counter", args());

            assertEquals(1, one.path("structuredContent").path("count").asInt());
            assertEquals(2, two.path("structuredContent").path("count").asInt());
            assertEquals(3, three.path("structuredContent").path("count").asInt());
            String upstreamSession = one.path("structuredContent").path("session").asText();
            assertEquals(upstreamSession, two.path("structuredContent").path("session").asText());

            RpcClient another = RpcClient.legacy(second.proxy("/stateful/mcp"), key.bearer());
            another.initialize("2025-11-25");
            JsonNode theirs = another.callTool("counter", args());
            assertEquals(1, theirs.path("structuredContent").path("count").asInt());
            assertNotEquals(upstreamSession, theirs.path("structuredContent").path("session").asText());

            Http.Reply ended = Http.delete(second.proxy("/stateful/mcp"), "Authorization", key.bearer(),
                    "Mcp-Session-Id", onFirst.session.orElseThrow());
            assertEquals(204, ended.status());
            assertEquals(404, onFirst.request("tools/list", Http.JSON.createObjectNode()).status());
            assertTrue(upstream.ended.contains(upstreamSession));
        }
    }

    @Test
    void aCancelPostedOnTheOtherInstanceCancelsTheCallWhereItRuns() throws Exception {
        Map<String, String> env = SHARED.env();
        String prefix = SHARED.prefix();
        try (SseTestServer upstream = new SseTestServer();
             TestGateway first = new TestGateway(data.resolve("a"), env, "  upstream_timeout_seconds: 20\n", prefix);
             TestGateway second = new TestGateway(data.resolve("b"), env, "", prefix)) {
            first.register("{\"id\":\"slowpoke\",\"base_url\":\"" + upstream.url() + "\",\"transport\":\"sse\"}");
            RpcClient onFirst = RpcClient.legacy(first.proxy("/slowpoke/mcp"), TestGateway.M);
            onFirst.initialize("2025-11-25");
            String session = onFirst.session.orElseThrow();
            CompletableFuture<Http.Reply> running = CompletableFuture.supplyAsync(() -> Http.post(
                    first.proxy("/slowpoke/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":\"call-9\",\"method\":\"tools/call\","
                            + "\"params\":{\"name\":\"slow\",\"arguments\":{}}}", "Authorization", TestGateway.M,
                    "Mcp-Session-Id", session, "MCP-Protocol-Version", "2025-11-25"));
            Await.until(Duration.ofSeconds(10), "the upstream got the call", () -> !upstream.received("tools/call")
                    .isEmpty());

            Http.Reply cancel = Http.post(second.proxy("/slowpoke/mcp"), "{\"jsonrpc\":\"2.0\",\"method\":"
                    + "\"notifications/cancelled\",\"params\":{\"requestId\":\"call-9\"}}", "Authorization",
                    TestGateway.M, "Mcp-Session-Id", session, "MCP-Protocol-Version", "2025-11-25");
            Http.Reply answer = running.get(10, TimeUnit.SECONDS);

            assertEquals(202, cancel.status(), cancel.body());
            assertEquals(-31502, answer.json().path("error").path("code").asInt(), answer.body());
            Await.until(Duration.ofSeconds(5), "the upstream was told", () -> !upstream.received(
                    "notifications/cancelled").isEmpty());
        }
    }

    @Test
    void aSubscriptionMadeOnOneInstanceIsHeardOnTheGetStreamTheOtherHolds() throws Exception {
        Map<String, String> env = SHARED.env();
        String prefix = SHARED.prefix();
        try (TestMcpServer upstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
             TestGateway first = new TestGateway(data.resolve("a"), env, "", prefix);
             TestGateway second = new TestGateway(data.resolve("b"), env, "", prefix)) {
            first.register("{\"id\":\"watched\",\"base_url\":\"" + upstream.url() + "\"}");
            RpcClient onFirst = RpcClient.legacy(first.proxy("/watched/mcp"), TestGateway.M);
            onFirst.initialize("2025-11-25");
            RpcClient onSecond = RpcClient.legacy(second.proxy("/watched/mcp"), TestGateway.M);
            onSecond.session = onFirst.session;
            onSecond.version = onFirst.version;
            BlockingQueue<String> events = ResourceSubscriptionsTest.getStream(second.proxy("/watched/mcp"),
                    onSecond);

            onFirst.result("resources/subscribe", ResourceSubscriptionsTest.uri(TestMcpLogic.STATUS));
            Await.until(Duration.ofSeconds(10), "the first instance holds the upstream's GET stream",
                    () -> upstream.openStreams() == 1);
            upstream.touch(TestMcpLogic.STATUS);

            JsonNode update = Http.JSON.readTree(ResourceSubscriptionsTest.nextUpdate(events));
            assertEquals("notifications/resources/updated", update.path("method").asText());
            assertEquals(TestMcpLogic.STATUS, update.path("params").path("uri").asText());

            onSecond.result("resources/subscribe", ResourceSubscriptionsTest.uri(ResourceSubscriptionsTest.README));
            onSecond.result("resources/unsubscribe", ResourceSubscriptionsTest.uri(TestMcpLogic.STATUS));
            upstream.touchAll(TestMcpLogic.STATUS);
            upstream.touch(ResourceSubscriptionsTest.README);
            assertEquals(ResourceSubscriptionsTest.README, Http.JSON.readTree(ResourceSubscriptionsTest.nextUpdate(
                    events)).path("params").path("uri").asText());
        }
    }
}
