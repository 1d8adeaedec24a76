package dev.smartflow.mcp;

import static dev.smartflow.mcp.AccessControlTest.call;
import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A key holder asks for a server or a tool, an administrator decides, and the decision applies at once. */
class AccessRequestsTest {
    @TempDir
    Path data;
    TestGateway gateway;
    TestMcpServer upstream;
    TestGateway.Key key;

    @BeforeEach
    void start() {
        upstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
        gateway = new TestGateway(data);
        gateway.register("{\"id\":\"tools\",\"base_url\":\"" + upstream.url() + "\"}");
        key = gateway.createKey("{\"name\":\"asker\",\"owner_id\":\"o\"}");
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    private Http.Reply request(String body) {
        return Http.post(gateway.proxy("/api/mcp/access-requests"), body, "Authorization", key.bearer());
    }

    @Test
    void anApprovedRequestForOneToolOpensThatToolAtOnce() {
        RpcClient client = RpcClient.legacy(gateway.proxy("/mcp"), key.bearer());
        client.initialize("2025-11-25");
        assertEquals(List.of(), client.toolNames());

        Http.Reply asked = request("{\"server_id\":\"tools\",\"tool\":\"echo\",\"reason\":\"for the demo\"}");
        assertEquals(201, asked.status(), asked.body());
        JsonNode filed = asked.json().path("request");
        assertEquals("pending", filed.path("status").asText());
        assertEquals(key.id(), filed.path("key_id").asText());
        assertEquals(List.of(), client.toolNames());

        Http.Reply approved = Http.post(gateway.proxy("/api/mcp/access-requests/" + filed.path("id").asText()
                + "/approve"), "{\"note\":\"ok for a week\"}", "Authorization", TestGateway.M);

        assertEquals(200, approved.status(), approved.body());
        assertEquals("approved", approved.json().path("request").path("status").asText());
        assertEquals(List.of("tools.echo"), client.toolNames());
        assertEquals("hi", client.callTool("tools.echo", args("text", "hi")).path("content").get(0).path("text")
                .asText());
        assertEquals(-32602, client.error("tools/call", call("tools.add", AccessControlTest.numbers(1, 2)))
                .path("code").asInt());
    }

    @Test
    void aDeniedRequestOpensNothingAndADecisionIsFinal() {
        String id = request("{\"server_id\":\"tools\"}").json().path("request").path("id").asText();

        Http.Reply denied = Http.post(gateway.proxy("/api/mcp/access-requests/" + id + "/deny"), "",
                "Authorization", TestGateway.M);
        Http.Reply again = Http.post(gateway.proxy("/api/mcp/access-requests/" + id + "/approve"), "",
                "Authorization", TestGateway.M);

        assertEquals("denied", denied.json().path("request").path("status").asText());
        assertEquals(400, again.status());
        assertEquals("already_decided", again.json().path("error").path("code").asText());
        RpcClient client = RpcClient.legacy(gateway.proxy("/mcp"), key.bearer());
        client.initialize("2025-11-25");
        assertEquals(List.of(), client.toolNames());
    }

    @Test
    void aKeyListsItsOwnRequestsAndOnlyTheMasterKeyDecides() {
        String id = request("{\"server_id\":\"tools\"}").json().path("request").path("id").asText();
        TestGateway.Key other = gateway.createKey("{\"name\":\"other\",\"owner_id\":\"o\"}");

        JsonNode mine = Http.get(gateway.proxy("/api/mcp/access-requests"), "Authorization", key.bearer()).json();
        JsonNode theirs = Http.get(gateway.proxy("/api/mcp/access-requests"), "Authorization", other.bearer()).json();
        JsonNode pending = Http.get(gateway.proxy("/api/mcp/access-requests?status=pending"), "Authorization",
                TestGateway.M).json();
        Http.Reply selfApproved = Http.post(gateway.proxy("/api/mcp/access-requests/" + id + "/approve"), "",
                "Authorization", key.bearer());

        assertEquals(1, mine.path("total").asInt());
        assertEquals(0, theirs.path("total").asInt());
        assertEquals(id, pending.path("requests").get(0).path("id").asText());
        assertEquals(401, selfApproved.status());
    }

    @Test
    void badRequestsAreRefusedAndStoreNothing() {
        assertEquals(404, request("{\"server_id\":\"nope\"}").status());
        assertEquals(400, request("{\"server_id\":\"tools\",\"tool\":\"no_such_tool\"}").status());
        assertEquals(400, request("{\"server\":\"tools\"}").status());
        assertEquals(400, Http.post(gateway.proxy("/api/mcp/access-requests"), "{\"server_id\":\"tools\"}",
                "Authorization", TestGateway.M).status());
        assertEquals(404, Http.post(gateway.proxy("/api/mcp/access-requests/mcpreq_none/approve"), "",
                "Authorization", TestGateway.M).status());
        assertEquals(0, Http.get(gateway.proxy("/api/mcp/access-requests"), "Authorization", TestGateway.M).json()
                .path("total").asInt());
    }

    @Test
    void grantsCanBeMadeAndRevokedDirectly() {
        RpcClient client = RpcClient.legacy(gateway.proxy("/tools/mcp"), key.bearer());
        String grant = "{\"key_id\":\"" + key.id() + "\",\"server_id\":\"tools\"}";

        assertEquals(201, Http.post(gateway.proxy("/api/mcp/grants"), grant, "Authorization", TestGateway.M)
                .status());
        client.initialize("2025-11-25");
        assertTrue(client.toolNames().contains("echo"));
        assertEquals(1, Http.get(gateway.proxy("/api/mcp/grants"), "Authorization", TestGateway.M).json()
                .path("total").asInt());
        assertEquals(200, Http.send("DELETE", gateway.proxy("/api/mcp/grants"), grant, "Authorization",
                TestGateway.M).status());
        assertEquals(403, client.request("tools/list", Http.JSON.createObjectNode()).status());
    }
}
