package dev.smartflow.mcp;

import static dev.smartflow.mcp.TestGateway.M;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input gets the JSON-RPC error the specifications name (and the HTTP status they name), never a 500, and never
 * reaches the upstream.
 */
class JsonRpcErrorsTest {
    @TempDir
    static Path data;
    static TestGateway gateway;
    static TestMcpServer upstream;

    @BeforeAll
    static void start() {
        upstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
        gateway = new TestGateway(data);
        gateway.register("{\"id\":\"tools\",\"base_url\":\"" + upstream.url() + "\"}");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    private static Http.Reply post(String body, String... more) {
        String[] headers = new String[more.length + 4];
        headers[0] = "Authorization";
        headers[1] = M;
        headers[2] = "Accept";
        headers[3] = "application/json, text/event-stream";
        System.arraycopy(more, 0, headers, 4, more.length);
        return Http.post(gateway.proxy("/tools/mcp"), body, headers);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            not JSON                        | {"jsonrpc":"2.0","id":1,                                            | 400 | -32700
            empty body                      | ``                                                                  | 400 | -32700
            an empty batch                  | []                                                                  | 400 | -32600
            a string                        | "ping"                                                              | 400 | -32600
            no jsonrpc                      | {"id":1,"method":"ping"}                                            | 400 | -32600
            jsonrpc 1.0                     | {"jsonrpc":"1.0","id":1,"method":"ping"}                            | 400 | -32600
            an object id                    | {"jsonrpc":"2.0","id":{},"method":"ping"}                           | 400 | -32600
            no method                       | {"jsonrpc":"2.0","id":1}                                            | 400 | -32600
            a numeric method                | {"jsonrpc":"2.0","id":1,"method":7}                                 | 400 | -32600
            params as a list                | {"jsonrpc":"2.0","id":1,"method":"tools/list","params":[]}          | 400 | -32600
            an unknown method               | {"jsonrpc":"2.0","id":1,"method":"tools/destroy"}                   | 200 | -32601
            a call without a name           | {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}          | 200 | -32602
            an unknown tool                 | {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}} | 200 | -32602
            arguments as a list             | {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":[1]}} | 200 | -32602
            a prompt without a name         | {"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{}}         | 200 | -32602
            """)
    void badInputIsAJsonRpcErrorAndNeverForwarded(String what, String body, int status, int code) {
        int forwarded = upstream.calls("tools/call").size() + upstream.calls("prompts/get").size();

        Http.Reply reply = post(body == null ? "" : body);

        assertEquals(status, reply.status(), reply.body());
        JsonNode json = reply.json();
        assertEquals("2.0", json.path("jsonrpc").asText());
        assertEquals(code, json.path("error").path("code").asInt(), reply.body());
        assertEquals(forwarded, upstream.calls("tools/call").size() + upstream.calls("prompts/get").size());
    }

    @Test
    void anErrorCarriesTheRequestsId() {
        Http.Reply reply = post("{\"jsonrpc\":\"2.0\",\"id\":\"abc-7\",\"method\":\"nope\"}");

        assertEquals("abc-7", reply.json().path("id").asText());
    }

    @Test
    void notificationsAndResponsesAreAcceptedWith202AndNoBody() {
        assertEquals(202, post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").status());
        assertEquals(202, post("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}").status());
        assertEquals(202, post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                + "\"params\":{\"requestId\":3}}").status());
    }

    @Test
    void anUnknownSessionIs404AndADeletedSessionStaysGone() {
        Http.Reply unknown = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
                "Mcp-Session-Id", "no-such-session");
        assertEquals(404, unknown.status());

        RpcClient client = RpcClient.legacy(gateway.proxy("/tools/mcp"), M);
        client.initialize("2025-11-25");
        Http.Reply deleted = Http.delete(gateway.proxy("/tools/mcp"), "Authorization", M,
                "Mcp-Session-Id", client.session.orElseThrow());
        assertEquals(204, deleted.status());
        assertEquals(404, client.request("tools/list", Http.JSON.createObjectNode()).status());
        assertEquals(404, Http.delete(gateway.proxy("/tools/mcp"), "Authorization", M,
                "Mcp-Session-Id", client.session.orElseThrow()).status());
    }

    @Test
    void aSessionBelongsToTheKeyThatOpenedItAndToItsEndpoint() {
        RpcClient client = RpcClient.legacy(gateway.proxy("/tools/mcp"), M);
        client.initialize("2025-11-25");
        TestGateway.Key other = gateway.createKey("{\"name\":\"other\",\"owner_id\":\"b\","
                + "\"tags\":{\"mcp_servers\":\"*\"}}");

        Http.Reply stolen = Http.post(gateway.proxy("/tools/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":1,"
                + "\"method\":\"tools/list\"}", "Authorization", other.bearer(), "Mcp-Session-Id",
                client.session.orElseThrow());
        Http.Reply elsewhere = Http.post(gateway.proxy("/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":1,"
                + "\"method\":\"tools/list\"}", "Authorization", M, "Mcp-Session-Id", client.session.orElseThrow());

        assertEquals(404, stolen.status());
        assertEquals(404, elsewhere.status());
    }

    @Test
    void anInitializeAskingForAnUnknownRevisionGetsTheLatestLegacyOne() {
        RpcClient client = RpcClient.legacy(gateway.proxy("/tools/mcp"), M);

        assertEquals("2025-11-25", client.initialize("1999-01-01").path("protocolVersion").asText());
    }

    @Test
    void anUnsupportedProtocolVersionHeaderIs400() {
        Http.Reply reply = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
                "MCP-Protocol-Version", "1999-01-01");

        assertEquals(400, reply.status());
    }

    @Test
    void aModernRequestWithoutItsMetaOrHeadersIsRefusedAsTheRevisionSays() {
        ObjectNode meta = Http.JSON.createObjectNode().put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        String withoutCapabilities = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":"
                + meta + "}}";
        meta.putObject("io.modelcontextprotocol/clientCapabilities");
        String complete = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":" + meta
                + "}}";

        Http.Reply missingMeta = post(withoutCapabilities, "MCP-Protocol-Version", "2026-07-28",
                "Mcp-Method", "tools/list");
        Http.Reply missingHeader = post(complete, "MCP-Protocol-Version", "2026-07-28");
        Http.Reply wrongHeader = post(complete, "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call");
        Http.Reply future = post(complete.replace("2026-07-28", "2031-01-01"), "MCP-Protocol-Version",
                "2031-01-01", "Mcp-Method", "tools/list");
        Http.Reply modernPing = post(complete.replace("tools/list", "ping"), "MCP-Protocol-Version", "2026-07-28",
                "Mcp-Method", "ping");

        assertEquals(400, missingMeta.status());
        assertEquals(-32602, missingMeta.json().path("error").path("code").asInt());
        assertEquals(400, missingHeader.status());
        assertEquals(-32020, missingHeader.json().path("error").path("code").asInt());
        assertEquals(-32020, wrongHeader.json().path("error").path("code").asInt());
        assertEquals(400, future.status());
        assertEquals(-32022, future.json().path("error").path("code").asInt());
        assertTrue(future.json().path("error").path("data").path("supported").toString().contains("2026-07-28"));
        assertEquals(404, modernPing.status());
        assertEquals(-32601, modernPing.json().path("error").path("code").asInt());
    }

    @Test
    void aModernToolCallWhoseNameHeaderDiffersFromItsBodyIsRefused() {
        ObjectNode params = Http.JSON.createObjectNode().put("name", "echo");
        params.putObject("arguments").put("text", "x");
        params.putObject("_meta").put("io.modelcontextprotocol/protocolVersion", "2026-07-28")
                .putObject("io.modelcontextprotocol/clientCapabilities");
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":" + params + "}";

        Http.Reply reply = post(body, "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call",
                "Mcp-Name", "delete_repo");

        assertEquals(400, reply.status());
        assertEquals(-32020, reply.json().path("error").path("code").asInt());
        assertTrue(upstream.calls("tools/call").isEmpty());
    }

    @Test
    void aForeignOriginIs403() {
        Http.Reply reply = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", "Origin",
                "https://evil.example.com");

        assertEquals(403, reply.status());
        assertEquals(-31403, reply.json().path("error").path("code").asInt());
    }

    @Test
    void anUnknownServerIs404AndNoKeyIs401() {
        Http.Reply unknown = Http.post(gateway.proxy("/nope/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":1,"
                + "\"method\":\"ping\"}", "Authorization", M);
        Http.Reply anonymous = Http.post(gateway.proxy("/tools/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":1,"
                + "\"method\":\"ping\"}");

        assertEquals(404, unknown.status());
        assertEquals(401, anonymous.status());
    }

    @Test
    void aTrailingSlashServesTheSameEndpoint() {
        Http.Reply reply = Http.post(gateway.proxy("/tools/mcp/"), "{\"jsonrpc\":\"2.0\",\"id\":1,"
                + "\"method\":\"ping\"}", "Authorization", M);

        assertEquals(200, reply.status(), reply.body());
        assertTrue(reply.json().has("result"));
    }

    @Test
    void randomBodiesNeverGetA500() {
        Random random = new Random(20261207);
        String[] pieces = {"{", "}", "[", "]", "\"jsonrpc\"", ":", "\"2.0\"", ",", "\"id\"", "1", "null",
            "\"method\"", "\"tools/call\"", "\"params\"", "\"name\"", "\"echo\"", "\"arguments\"", "\"_meta\"",
            "\"io.modelcontextprotocol/protocolVersion\"", "\"2026-07-28\"", "true", "-1e999", "\"\\u0000\"", " "};
        for (int i = 0; i < 300; i++) {
            StringBuilder body = new StringBuilder();
            int length = 1 + random.nextInt(30);
            for (int j = 0; j < length; j++) {
                body.append(pieces[random.nextInt(pieces.length)]);
            }
            Http.Reply reply = post(body.toString());

            assertTrue(reply.status() < 500, body + " -> " + reply.status() + " " + reply.body());
            assertTrue(reply.status() == 202 || reply.json().has("error") || reply.json().has("result"),
                    body + " -> " + reply.body());
        }
    }
}
