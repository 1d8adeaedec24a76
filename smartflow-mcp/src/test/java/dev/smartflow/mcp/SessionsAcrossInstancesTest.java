package dev.smartflow.mcp;

import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.server.testing.SharedServers;
import java.nio.file.Path;
import java.util.Map;
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
}
