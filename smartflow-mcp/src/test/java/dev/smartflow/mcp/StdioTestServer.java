package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * An MCP server on stdio for the tests, run by the gateway as a process: newline-delimited JSON-RPC on stdin and
 * stdout, log lines on stderr. The first argument names the revision ({@code 2025-11-25} by default, or
 * {@code 2026-07-28}); {@code exit-after=N} makes it exit after answering N tool calls, to test the restart. A tool call with a progress
 * token is preceded by one {@code notifications/progress} for it.
 */
public final class StdioTestServer {
    private StdioTestServer() {
    }

    public static void main(String[] args) throws Exception {
        TestMcpLogic.Mode mode = TestMcpLogic.Mode.V2025_11_25;
        int exitAfter = Integer.MAX_VALUE;
        for (String arg : args) {
            if (arg.equals("2026-07-28")) {
                mode = TestMcpLogic.Mode.MODERN;
            } else if (arg.equals("2025-06-18")) {
                mode = TestMcpLogic.Mode.V2025_06_18;
            } else if (arg.startsWith("exit-after=")) {
                exitAfter = Integer.parseInt(arg.substring("exit-after=".length()));
            }
        }
        TestMcpLogic logic = new TestMcpLogic(mode, "stdio-" + mode.version);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.err.println("stdio test server up, speaking " + mode.version);
        String session = "process-" + ProcessHandle.current().pid();
        int calls = 0;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            JsonNode message = TestMcpLogic.JSON.readTree(line);
            JsonNode token = message.path("params").path("_meta").path("progressToken");
            if (message.path("method").asText().equals("tools/call") && !token.isMissingNode()) {
                ObjectNode progress = TestMcpLogic.JSON.createObjectNode().put("jsonrpc", "2.0")
                        .put("method", "notifications/progress");
                progress.putObject("params").put("progress", 1).put("total", 1).set("progressToken", token);
                out.println(progress);
            }
            ObjectNode answer = logic.handle(message, session, Map.of());
            if (answer != null) {
                out.println(answer);
            }
            String text = message.path("params").path("arguments").path("text").asText("");
            if (message.path("method").asText().equals("tools/call") && text.startsWith("touch:")
                    && logic.subscriptions.getOrDefault(session, Set.of()).contains(text.substring(6))) {
                // echo "touch:<uri>": the resource changed, its subscribers hear of it
                ObjectNode updated = TestMcpLogic.JSON.createObjectNode().put("jsonrpc", "2.0")
                        .put("method", "notifications/resources/updated");
                updated.putObject("params").put("uri", text.substring(6));
                out.println(updated);
            }
            if (message.path("method").asText().equals("tools/call") && ++calls >= exitAfter) {
                System.err.println("exiting after " + calls + " calls, as asked");
                System.exit(3);
            }
        }
    }
}
