package dev.smartflow.mcp;

/** The MCP module's own test server (tools {@code echo}, {@code whoami}, ...), opened to the app's tests. */
public final class McpTestUpstream implements AutoCloseable {
    private final TestMcpServer server = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);

    public String url() {
        return server.url();
    }

    /** How many {@code tools/call} requests reached it. */
    public int toolCalls() {
        return server.calls("tools/call").size();
    }

    @Override
    public void close() {
        server.close();
    }
}
