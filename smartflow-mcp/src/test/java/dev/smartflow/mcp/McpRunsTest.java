package dev.smartflow.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run governance through the MCP endpoint: a tool call is a step of the run its {@code x-a2a-trace-id} names, loops
 * and caps are refused as JSON-RPC errors (-31429 with the run's code in {@code data.code}) before the upstream is
 * called, and a stopped run's calls are refused the same way.
 */
class McpRunsTest {
    @TempDir
    Path data;
    TestGateway gateway;
    TestMcpServer upstream;
    TestGateway.Key key;

    @BeforeEach
    void start() {
        upstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
        gateway = new TestGateway(data, Map.of(), "runs:\n  loop_threshold: 3\n");
        gateway.register("{\"id\":\"tools\",\"base_url\":\"" + upstream.url() + "\"}");
        key = gateway.createKey("{\"name\":\"agent\",\"owner_id\":\"o\",\"tags\":{\"mcp_servers\":\"tools\"}}");
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    private Http.Reply call(String trace, String tool, String arguments, String... headers) {
        String[] all = new String[headers.length + 4];
        all[0] = "Authorization";
        all[1] = key.bearer();
        all[2] = "x-a2a-trace-id";
        all[3] = trace;
        System.arraycopy(headers, 0, all, 4, headers.length);
        return Http.post(gateway.proxy("/tools/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}}", all);
    }

    @Test
    void theSameToolWithTheSameArgumentsIsRefusedAsALoopAtTheThreshold() {
        assertEquals(200, call("run-loop", "echo", "{\"text\":\"again\"}").status());
        // the same arguments in another order are the same call
        assertEquals(200, call("run-loop", "echo", "{\"text\" : \"again\"}").status());

        Http.Reply refused = call("run-loop", "echo", "{\"text\":\"again\"}");

        JsonNode error = refused.json().path("error");
        assertEquals(-31429, error.path("code").asInt(), refused.body());
        assertEquals("run_loop_detected", error.path("data").path("code").asText());
        assertEquals(2, upstream.calls("tools/call").size());
        // other arguments are no loop
        assertTrue(call("run-loop", "echo", "{\"text\":\"else\"}").json().path("result").isObject());
        assertEquals(3, upstream.calls("tools/call").size());
    }

    @Test
    void toolCallsOverTheRunsCapAreRefusedWithRunStepLimit() {
        call("run-cap", "echo", "{\"text\":\"1\"}", "x-smartflow-run-max-tool-calls", "2");
        call("run-cap", "echo", "{\"text\":\"2\"}", "x-smartflow-run-max-tool-calls", "2");

        JsonNode error = call("run-cap", "echo", "{\"text\":\"3\"}", "x-smartflow-run-max-tool-calls", "2")
                .json().path("error");

        assertEquals(-31429, error.path("code").asInt());
        assertEquals("run_step_limit", error.path("data").path("code").asText());
        assertEquals(2, upstream.calls("tools/call").size());
        JsonNode trace = Http.get(gateway.management("/api/traces/run-cap"), "Authorization", TestGateway.M).json();
        assertEquals("limit_hit", trace.path("state").asText(), trace.toString());
        assertEquals("max_tool_calls", trace.path("limit").asText());
    }

    @Test
    void aStoppedRunsToolCallsAreRefused() {
        assertEquals(200, call("run-stop", "echo", "{\"text\":\"1\"}").status());

        Http.Reply stopped = Http.post(gateway.management("/api/traces/run-stop/stop"), "", "Authorization",
                TestGateway.M);
        assertEquals(200, stopped.status(), stopped.body());

        JsonNode error = call("run-stop", "echo", "{\"text\":\"2\"}").json().path("error");
        assertEquals(-31429, error.path("code").asInt());
        assertEquals("run_stopped", error.path("data").path("code").asText());
        assertEquals(1, upstream.calls("tools/call").size());
        JsonNode listing = Http.post(gateway.proxy("/tools/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":"
                + "\"tools/list\"}", "Authorization", TestGateway.M, "x-a2a-trace-id", "run-stop").json();
        assertEquals("run_stopped", listing.path("error").path("data").path("code").asText(), listing.toString());
    }

    @Test
    void theRunsTraceIdComesBackAndGoesUpstreamAsAValidTraceparent() {
        Http.Reply reply = call("run:agent-7", "whoami", "{}");

        assertEquals("run:agent-7", reply.header("x-a2a-trace-id").orElseThrow());
        String traceparent = reply.json().path("result").path("structuredContent").path("traceparent").asText();
        assertTrue(traceparent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), traceparent);
    }

    @Test
    void aTraceIdThatIsNotOneIsAJsonRpcError() {
        Http.Reply reply = call("not a trace id!", "echo", "{\"text\":\"x\"}");

        assertEquals(400, reply.status(), reply.body());
        JsonNode error = reply.json().path("error");
        assertEquals(-32600, error.path("code").asInt());
        assertEquals("invalid_trace_id", error.path("data").path("code").asText());
        assertEquals(0, upstream.calls("tools/call").size());
    }
}
