package dev.smartflow.mcp;

import static dev.smartflow.mcp.AccessControlTest.call;
import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream the gateway runs: a Java main speaking MCP on stdio ({@link StdioTestServer}). Each client session gets a
 * process of its own; the process sees only the variables its registration names; one that dies is restarted.
 */
class StdioUpstreamTest {
    @TempDir
    Path data;
    TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = new TestGateway(data);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    static String registration(String id, String... serverArgs) {
        ObjectNode stdio = Http.JSON.createObjectNode()
                .put("command", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ArrayNode args = stdio.putArray("args");
        args.add("-cp").add(System.getProperty("java.class.path")).add(StdioTestServer.class.getName());
        for (String arg : serverArgs) {
            args.add(arg);
        }
        stdio.putObject("env").put("TOOL_TOKEN", "stdio-secret");
        ObjectNode registration = Http.JSON.createObjectNode().put("id", id);
        registration.set("stdio", stdio);
        return registration.toString();
    }

    @Test
    void aLegacyStdioServerServesEachSessionFromAProcessOfItsOwn() {
        gateway.register(registration("local"));
        RpcClient first = RpcClient.legacy(gateway.proxy("/local/mcp"), TestGateway.M);
        first.initialize("2025-11-25");
        RpcClient second = RpcClient.legacy(gateway.proxy("/local/mcp"), TestGateway.M);
        second.initialize("2025-06-18");

        JsonNode a1 = first.callTool("counter", args());
        JsonNode a2 = first.callTool("counter", args());
        JsonNode b1 = second.callTool("counter", args());

        assertEquals(2, a2.path("structuredContent").path("count").asInt());
        assertEquals(1, b1.path("structuredContent").path("count").asInt());
        assertNotEquals(a1.path("structuredContent").path("session").asText(),
                b1.path("structuredContent").path("session").asText());
        assertEquals("hi", first.callTool("echo", args("text", "hi")).path("content").get(0).path("text").asText());
    }

    @Test
    void aProcesssProgressReachesTheClientThatAskedForIt() {
        gateway.register(registration("local"));
        RpcClient client = RpcClient.legacy(gateway.proxy("/local/mcp"), TestGateway.M);
        client.initialize("2025-11-25");
        ObjectNode params = call("echo", args("text", "hi"));
        params.putObject("_meta").put("progressToken", "stdio-progress");

        Http.Reply reply = client.request("tools/call", params);

        String body = reply.body();
        assertTrue(reply.header("content-type").orElse("").startsWith("text/event-stream"), body);
        int progress = body.indexOf("\"progressToken\":\"stdio-progress\"");
        int result = body.indexOf("\"result\"");
        assertTrue(progress > 0 && result > progress, body);
    }

    @Test
    void theProcessSeesItsOwnVariablesAndNotTheGateways() {
        gateway.register(registration("local"));
        RpcClient client = RpcClient.legacy(gateway.proxy("/local/mcp"), TestGateway.M);
        client.initialize("2025-11-25");

        JsonNode own = client.callTool("env", args("name", "TOOL_TOKEN"));
        JsonNode gateways = client.callTool("env", args("name", "JAVA_HOME"));

        assertEquals("stdio-secret", own.path("structuredContent").path("value").asText());
        assertEquals(false, gateways.path("structuredContent").path("set").asBoolean());
    }

    @Test
    void aModernStdioServerIsSpokenToStatelessly() {
        gateway.register(registration("modern", "2026-07-28"));
        RpcClient legacyClient = RpcClient.legacy(gateway.proxy("/modern/mcp"), TestGateway.M);
        legacyClient.initialize("2025-11-25");
        RpcClient modernClient = RpcClient.modern(gateway.proxy("/modern/mcp"), TestGateway.M);

        assertEquals("a", legacyClient.callTool("echo", args("text", "a")).path("content").get(0).path("text")
                .asText());
        assertEquals("b", modernClient.callTool("echo", args("text", "b")).path("content").get(0).path("text")
                .asText());
    }

    @Test
    void aProcessThatExitsIsRestartedAfterABackoff() {
        gateway.register(registration("fragile", "exit-after=1"));
        RpcClient client = RpcClient.modern(gateway.proxy("/fragile/mcp"), TestGateway.M);

        assertEquals("first", client.callTool("echo", args("text", "first")).path("content").get(0).path("text")
                .asText());
        // the process exits after that call; until it is back, calls fail fast with an upstream error
        Await.until(Duration.ofSeconds(20), "the restarted process answers", () -> {
            Http.Reply reply = client.request("tools/call", call("echo", args("text", "again")));
            return reply.status() == 200 && reply.json().has("result");
        });
        Http.Reply broken = client.request("tools/call", call("echo", args("text", "x")));
        assertEquals(200, broken.status());
        assertTrue(broken.json().has("result") || broken.json().path("error").path("code").asInt() == -31502,
                broken.body());
    }
}
