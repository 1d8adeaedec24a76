package dev.smartflow.mcp;

import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who sees and calls which tools: the server's allow and deny lists, its parameter allowlists, the key's tags, and
 * the caller's network. A tool a caller may not use is invisible in its lists and unknown to its calls, which never
 * reach the upstream.
 */
class AccessControlTest {
    @TempDir
    Path data;
    TestGateway gateway;
    TestMcpServer upstream;

    @BeforeEach
    void start() {
        upstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private void register(String more) {
        gateway.register("{\"id\":\"tools\",\"base_url\":\"" + upstream.url() + "\"" + more + "}");
    }

    private RpcClient client(TestGateway.Key key, String path) {
        RpcClient client = RpcClient.legacy(gateway.proxy(path), key.bearer());
        client.initialize("2025-11-25");
        return client;
    }

    @Test
    void theServersListsDecideWhichToolsExist() {
        gateway = new TestGateway(data);
        register(",\"allowed_tools\":[\"echo\",\"add\",\"delete_repo\"],\"disallowed_tools\":[\"delete_repo\"]");
        TestGateway.Key key = gateway.createKey("{\"name\":\"a\",\"owner_id\":\"o\",\"tags\":{\"mcp_servers\":\"*\"}}");
        RpcClient client = client(key, "/tools/mcp");

        assertEquals(List.of("echo", "add"), client.toolNames());
        assertEquals(-32602, client.error("tools/call", call("delete_repo", args("repo", "r"))).path("code").asInt());
        assertEquals(-32602, client.error("tools/call", call("counter", args())).path("code").asInt());
        assertTrue(upstream.calls("tools/call").isEmpty());
        assertEquals("x", client.callTool("echo", args("text", "x")).path("content").get(0).path("text").asText());
    }

    @Test
    void aToolsParameterAllowlistRefusesOtherArguments() {
        gateway = new TestGateway(data);
        register(",\"allowed_params\":{\"echo\":[\"text\"]}");
        TestGateway.Key key = gateway.createKey("{\"name\":\"a\",\"owner_id\":\"o\",\"tags\":{\"mcp_servers\":\"tools\"}}");
        RpcClient client = client(key, "/tools/mcp");

        JsonNode error = client.error("tools/call", call("echo", args("text", "x", "shell", "rm -rf /")));

        assertEquals(-32602, error.path("code").asInt());
        assertTrue(error.path("message").asText().contains("'shell' is not allowed"), error.toString());
        assertTrue(upstream.calls("tools/call").isEmpty());
        assertEquals("ok", client.callTool("echo", args("text", "ok")).path("content").get(0).path("text").asText());
        assertEquals("3.0", client.callTool("add", numbers(1, 2)).path("content").get(0).path("text").asText());
    }

    @Test
    void aKeyWithoutTheTagOrAGrantSeesNoServer() {
        gateway = new TestGateway(data);
        register("");
        TestGateway.Key key = gateway.createKey("{\"name\":\"plain\",\"owner_id\":\"o\"}");

        Http.Reply direct = Http.post(gateway.proxy("/tools/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                + "\"tools/list\"}", "Authorization", key.bearer());
        RpcClient aggregate = RpcClient.legacy(gateway.proxy("/mcp"), key.bearer());
        aggregate.initialize("2025-11-25");

        assertEquals(403, direct.status());
        assertEquals(-31403, direct.json().path("error").path("code").asInt());
        assertEquals(List.of(), aggregate.toolNames());
        assertEquals(-32602, aggregate.error("tools/call", call("tools.echo", args("text", "x"))).path("code")
                .asInt());
        assertTrue(upstream.calls("tools/call").isEmpty());
    }

    @Test
    void aKeysDenyTagTakesToolsAway() {
        gateway = new TestGateway(data);
        register("");
        TestGateway.Key key = gateway.createKey("{\"name\":\"a\",\"owner_id\":\"o\",\"tags\":{\"mcp_servers\":\"*\","
                + "\"mcp_disallowed_tools\":\"tools.fail, tools.whoami\"}}");
        RpcClient client = client(key, "/tools/mcp");

        List<String> tools = client.toolNames();

        assertFalse(tools.contains("fail") || tools.contains("whoami"), tools.toString());
        assertTrue(tools.contains("echo"));
        assertEquals(-32602, client.error("tools/call", call("fail", args())).path("code").asInt());
    }

    @Test
    void aServerOffThePublicInternetServesOnlyThePrivateNetworks() {
        gateway = new TestGateway(data, Map.of(), "  private_networks: [\"10.0.0.0/8\"]\n");
        register(",\"available_on_public_internet\":false");
        gateway.register("{\"id\":\"public\",\"base_url\":\"" + upstream.url() + "\"}");

        Http.Reply direct = Http.post(gateway.proxy("/tools/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                + "\"tools/list\"}", "Authorization", TestGateway.M);
        RpcClient aggregate = RpcClient.legacy(gateway.proxy("/mcp"), TestGateway.M);
        aggregate.initialize("2025-11-25");

        assertEquals(403, direct.status());
        List<String> tools = aggregate.toolNames();
        assertTrue(tools.contains("public.echo"), tools.toString());
        assertFalse(tools.stream().anyMatch(t -> t.startsWith("tools.")), tools.toString());
    }

    @Test
    void theDefaultPrivateNetworksIncludeLoopback() {
        gateway = new TestGateway(data);
        register(",\"available_on_public_internet\":false");

        RpcClient client = RpcClient.legacy(gateway.proxy("/tools/mcp"), TestGateway.M);
        client.initialize("2025-11-25");

        assertTrue(client.toolNames().contains("echo"));
    }

    static ObjectNode call(String name, ObjectNode arguments) {
        ObjectNode params = Http.JSON.createObjectNode().put("name", name);
        params.set("arguments", arguments);
        return params;
    }

    static ObjectNode numbers(int a, int b) {
        return Http.JSON.createObjectNode().put("a", a).put("b", b);
    }
}
