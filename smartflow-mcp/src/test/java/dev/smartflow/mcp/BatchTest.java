package dev.smartflow.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSON-RPC batches of the 2025-03-26 revision: each message served, the responses answered as one array; at most one
 * {@code tools/call} per batch, no {@code initialize}; clients of later revisions keep getting -32600.
 */
class BatchTest {
    @TempDir
    Path data;
    TestMcpServer upstream;
    TestGateway gateway;

    @BeforeEach
    void start() {
        upstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
        gateway = new TestGateway(data);
        gateway.register("{\"id\":\"tools\",\"base_url\":\"" + upstream.url() + "\"}");
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    private Http.Reply post(String body, String... more) {
        String[] headers = new String[more.length + 4];
        headers[0] = "Authorization";
        headers[1] = TestGateway.M;
        headers[2] = "Accept";
        headers[3] = "application/json, text/event-stream";
        System.arraycopy(more, 0, headers, 4, more.length);
        return Http.post(gateway.proxy("/tools/mcp"), body, headers);
    }

    private static JsonNode byId(JsonNode answers, String id) {
        for (JsonNode answer : answers) {
            if (answer.path("id").asText().equals(id)) {
                return answer;
            }
        }
        throw new AssertionError("no answer " + id + " in " + answers);
    }

    @Test
    void aBatchIsAnsweredWithAnArrayOfItsResponses() {
        Http.Reply reply = post("[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/list\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"ping\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"text\":\"batched\"}}},"
                + "{\"jsonrpc\":\"2.0\",\"id\":\"d\",\"method\":\"no/such\"}]", "MCP-Protocol-Version", "2025-03-26");

        assertEquals(200, reply.status(), reply.body());
        JsonNode answers = reply.json();
        assertTrue(answers.isArray(), reply.body());
        assertEquals(4, answers.size(), reply.body());
        assertTrue(byId(answers, "a").path("result").path("tools").size() > 0);
        assertTrue(byId(answers, "b").path("result").isObject());
        assertEquals("batched", byId(answers, "c").path("result").path("structuredContent").path("echo").asText());
        assertEquals(-32601, byId(answers, "d").path("error").path("code").asInt());
    }

    @Test
    void aSecondToolCallAndAnInitializeInABatchAreRefusedAndNotForwarded() {
        Http.Reply reply = post("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
                + "\"echo\",\"arguments\":{\"text\":\"one\"}}},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"two\"}}},{\"jsonrpc\":\"2.0\",\"id\":3,"
                + "\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-03-26\"}},[1]]");

        JsonNode answers = reply.json();
        assertEquals(4, answers.size(), reply.body());
        assertEquals("one", byId(answers, "1").path("result").path("structuredContent").path("echo").asText());
        assertEquals(-32600, byId(answers, "2").path("error").path("code").asInt());
        assertEquals(-32600, byId(answers, "3").path("error").path("code").asInt());
        assertEquals(-32600, answers.get(3).path("error").path("code").asInt());
        assertEquals(1, upstream.calls("tools/call").size());
    }

    @Test
    void onlyNotificationsAre202() {
        Http.Reply reply = post("[{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}]");

        assertEquals(202, reply.status(), reply.body());
    }

    @Test
    void aSessionOf2025_03_26MayBatchAndOneOfALaterRevisionMayNot() {
        RpcClient old = RpcClient.legacy(gateway.proxy("/tools/mcp"), TestGateway.M);
        old.initialize("2025-03-26");
        RpcClient later = RpcClient.legacy(gateway.proxy("/tools/mcp"), TestGateway.M);
        later.initialize("2025-06-18");
        String batch = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]";

        Http.Reply allowed = post(batch, "Mcp-Session-Id", old.session.orElseThrow());
        Http.Reply refused = post(batch, "Mcp-Session-Id", later.session.orElseThrow(), "MCP-Protocol-Version",
                "2025-06-18");

        assertEquals(200, allowed.status(), allowed.body());
        assertEquals(1, allowed.json().get(0).path("id").asInt());
        assertEquals(400, refused.status(), refused.body());
        assertEquals(-32600, refused.json().path("error").path("code").asInt());
    }
}
