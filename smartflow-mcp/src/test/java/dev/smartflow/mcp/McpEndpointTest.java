package dev.smartflow.mcp;

import static dev.smartflow.mcp.RpcClient.args;
import static dev.smartflow.mcp.TestGateway.M;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoints of one server and of all, spoken to as a legacy client over plain JSON-RPC. */
class McpEndpointTest {
    @TempDir
    Path data;
    TestGateway gateway;
    TestMcpServer upstream;
    TestGateway.Key key;

    @BeforeEach
    void start() {
        upstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
        gateway = new TestGateway(data);
        gateway.register("{\"id\":\"tools\",\"base_url\":\"" + upstream.url() + "\",\"disallowed_tools\":[\"delete_repo\"]}");
        key = gateway.createKey("{\"name\":\"agent\",\"owner_id\":\"team-a\",\"tags\":{\"mcp_servers\":\"tools\"}}");
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    private RpcClient client() {
        return RpcClient.legacy(gateway.proxy("/tools/mcp"), key.bearer());
    }

    @Test
    void aLegacyClientInitializesListsAndCallsATool() {
        RpcClient client = client();

        JsonNode init = client.initialize("2025-11-25");

        assertEquals("2025-11-25", init.path("protocolVersion").asText());
        assertTrue(client.session.isPresent());
        assertTrue(init.path("capabilities").has("tools"));
        List<String> tools = client.toolNames();
        assertTrue(tools.contains("echo"), tools.toString());
        assertFalse(tools.contains("delete_repo"), tools.toString());
        JsonNode result = client.callTool("echo", args("text", "hello"));
        assertEquals("hello", result.path("content").get(0).path("text").asText());
        assertEquals("hello", result.path("structuredContent").path("echo").asText());
        assertFalse(result.has("resultType"));
    }

    @Test
    void aDeniedToolIsRefusedAsUnknownAndNeverForwarded() {
        RpcClient client = client();
        client.initialize("2025-06-18");

        JsonNode error = client.error("tools/call", params("delete_repo", args("repo", "x")));

        assertEquals(-32602, error.path("code").asInt());
        assertTrue(upstream.calls("tools/call").isEmpty());
    }

    private static ObjectNode params(String name, ObjectNode arguments) {
        ObjectNode params = Http.JSON.createObjectNode().put("name", name);
        params.set("arguments", arguments);
        return params;
    }
}
