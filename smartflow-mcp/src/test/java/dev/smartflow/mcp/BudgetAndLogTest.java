package dev.smartflow.mcp;

import static dev.smartflow.mcp.AccessControlTest.call;
import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tool call's price is held against the key's budget and spent when the upstream ran it; a call the budget cannot
 * cover is a JSON-RPC error and never reaches the upstream. Every call is logged with its trace id and counted in
 * {@code smartflow_mcp_calls_total}.
 */
class BudgetAndLogTest {
    @TempDir
    Path data;
    TestGateway gateway;
    TestMcpServer upstream;

    @BeforeEach
    void start() {
        upstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
        gateway = new TestGateway(data);
        gateway.register("{\"id\":\"paid\",\"base_url\":\"" + upstream.url()
                + "\",\"cost_info\":{\"per_call_usd\":0.01}}");
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void callsSpendTheirPriceUntilTheBudgetIsGoneAndListingStillWorks() {
        TestGateway.Key key = gateway.createKey("{\"name\":\"b\",\"owner_id\":\"o\",\"budget_usd\":0.025,"
                + "\"tags\":{\"mcp_servers\":\"paid\"}}");
        RpcClient client = RpcClient.legacy(gateway.proxy("/paid/mcp"), key.bearer());
        client.initialize("2025-11-25");

        client.callTool("echo", args("text", "one"));
        client.callTool("fail", args());
        JsonNode refused = client.error("tools/call", call("echo", args("text", "three")));

        assertEquals(-31429, refused.path("code").asInt());
        assertEquals("budget_exceeded", refused.path("data").path("code").asText());
        assertEquals(2, upstream.calls("tools/call").size());
        JsonNode budget = Http.get(gateway.management("/api/enterprise/vkeys/" + key.id() + "/budget"),
                "Authorization", TestGateway.M).json().path("budget");
        assertEquals(0, new BigDecimal("0.02").compareTo(budget.path("spent_usd").decimalValue()), budget.toString());
        assertTrue(client.toolNames().contains("echo"));
    }

    @Test
    void aCallTheUpstreamNeverAnsweredCostsNothing() {
        TestGateway.Key key = gateway.createKey("{\"name\":\"b\",\"owner_id\":\"o\",\"budget_usd\":1,"
                + "\"tags\":{\"mcp_servers\":\"paid\"}}");
        RpcClient client = RpcClient.legacy(gateway.proxy("/paid/mcp"), key.bearer());
        client.initialize("2025-11-25");
        upstream.close();

        JsonNode failed = client.error("tools/call", call("echo", args("text", "x")));

        assertEquals(-31502, failed.path("code").asInt());
        JsonNode budget = Http.get(gateway.management("/api/enterprise/vkeys/" + key.id() + "/budget"),
                "Authorization", TestGateway.M).json().path("budget");
        assertEquals(0, BigDecimal.ZERO.compareTo(budget.path("spent_usd").decimalValue()), budget.toString());
        assertEquals(0, BigDecimal.ZERO.compareTo(budget.path("reserved_usd").decimalValue()), budget.toString());
    }

    @Test
    void everyCallIsLoggedWithItsTraceAndCounted() {
        TestGateway.Key key = gateway.createKey("{\"name\":\"b\",\"owner_id\":\"o\",\"budget_usd\":1,"
                + "\"tags\":{\"mcp_servers\":\"paid\",\"org\":\"acme\"}}");
        String trace = "0af7651916cd43dd8448eb211c80319c";
        Http.Reply reply = Http.post(gateway.proxy("/paid/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                        + "\"tools/call\",\"params\":{\"name\":\"whoami\"}}", "Authorization", key.bearer(),
                "traceparent", "00-" + trace + "-b7ad6b7169203331-01");
        assertEquals(200, reply.status(), reply.body());
        Http.post(gateway.proxy("/paid/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"nope\"}}", "Authorization", key.bearer());

        String seen = reply.json().path("result").path("structuredContent").path("traceparent").asText();
        assertTrue(seen.startsWith("00-" + trace + "-"), seen);
        JsonNode logs = Http.get(gateway.proxy("/api/mcp/logs"), "Authorization", key.bearer()).json().path("logs");
        assertEquals(2, logs.size(), logs.toString());
        JsonNode unknown = logs.get(0);
        JsonNode served = logs.get(1);
        assertEquals(trace, served.path("trace_id").asText());
        assertEquals(reply.header("x-smartflow-request-id").orElseThrow(), served.path("request_id").asText());
        assertEquals("paid", served.path("server_id").asText());
        assertEquals("whoami", served.path("tool").asText());
        assertEquals("tools/call", served.path("method").asText());
        assertEquals(200, served.path("status").asInt());
        assertEquals("0.01", served.path("cost_usd").decimalValue().toPlainString());
        assertEquals(key.id(), served.path("key_id").asText());
        assertEquals("org:acme", served.path("tenant").asText());
        assertTrue(served.path("error").isNull());
        assertEquals(400, unknown.path("status").asInt());
        assertEquals("tool_not_found", unknown.path("error").asText());
        TestGateway.Key other = gateway.createKey("{\"name\":\"c\",\"owner_id\":\"o\"}");
        assertEquals(0, Http.get(gateway.proxy("/api/mcp/logs"), "Authorization", other.bearer()).json()
                .path("total").asInt());
        assertEquals(2, Http.get(gateway.proxy("/api/mcp/logs"), "Authorization", TestGateway.M).json()
                .path("total").asInt());
        JsonNode usage = Http.get(gateway.proxy("/api/mcp/usage"), "Authorization", key.bearer()).json();
        assertEquals(2, usage.path("total_calls").asInt(), usage.toString());
        assertEquals("0.01", usage.path("total_cost_usd").decimalValue().toPlainString());
        String metrics = Http.get(gateway.proxy("/metrics")).body();
        assertTrue(metrics.contains("smartflow_mcp_calls_total{server=\"paid\",status=\"ok\",tool=\"whoami\"} 1.0"),
                metrics);
    }
}
