package dev.smartflow.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.modern.client.transport.HttpClientMcpTransport;
import io.modelcontextprotocol.modern.client.transport.McpHttpRequestCustomizer;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP Java SDK (2.2.0) as a client of the gateway, unmodified: its Streamable HTTP client of the
 * handshake revisions, and its client of the stateless 2026-07-28 revision, each with a virtual key as its bearer
 * token.
 */
class SdkClientTest {
    @TempDir
    static Path data;
    static TestGateway gateway;
    static TestMcpServer legacyUpstream;
    static TestMcpServer modernUpstream;
    static TestGateway.Key key;

    @BeforeAll
    static void start() {
        legacyUpstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
        modernUpstream = new TestMcpServer(TestMcpLogic.Mode.MODERN);
        gateway = new TestGateway(data);
        gateway.register("{\"id\":\"legacy\",\"base_url\":\"" + legacyUpstream.url()
                + "\",\"disallowed_tools\":[\"delete_repo\"]}");
        gateway.register("{\"id\":\"modern\",\"base_url\":\"" + modernUpstream.url() + "\"}");
        key = gateway.createKey("{\"name\":\"sdk\",\"owner_id\":\"o\",\"tags\":{\"mcp_servers\":\"*\"}}");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        legacyUpstream.close();
        modernUpstream.close();
    }

    private static McpSyncClient legacyClient(String endpoint, List<String> versions) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(gateway.proxy(""))
                .endpoint(endpoint).supportedProtocolVersions(versions)
                .httpRequestCustomizer((builder, method, uri, body, context) -> builder.header("Authorization",
                        key.bearer()))
                .build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build();
    }

    @Test
    void theLegacySdkClientListsCallsReadsAndGets() {
        try (McpSyncClient client = legacyClient("/legacy/mcp", List.of("2025-11-25", "2025-06-18"))) {
            McpSchema.InitializeResult init = client.initialize();
            List<String> tools = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            McpSchema.CallToolResult echoed = client.callTool(new McpSchema.CallToolRequest("echo",
                    Map.of("text", "from the SDK")));
            McpSchema.ReadResourceResult resource = client.readResource(
                    new McpSchema.ReadResourceRequest("file:///readme.md"));
            McpSchema.GetPromptResult prompt = client.getPrompt(new McpSchema.GetPromptRequest("greet",
                    Map.of("who", "Grace")));

            // the SDK asks for the revision it prefers; the gateway agrees to any legacy revision it is offered
            assertTrue(List.of("2025-11-25", "2025-06-18").contains(init.protocolVersion()), init.toString());
            assertTrue(tools.contains("echo"), tools.toString());
            assertFalse(tools.contains("delete_repo"), tools.toString());
            assertEquals("from the SDK", ((McpSchema.TextContent) echoed.content().getFirst()).text());
            assertEquals(Map.of("echo", "from the SDK", "server", "test-2025-11-25"), echoed.structuredContent());
            assertTrue(((McpSchema.TextResourceContents) resource.contents().getFirst()).text()
                    .startsWith("# Read me"));
            assertEquals("Say hello to Grace", ((McpSchema.TextContent) prompt.messages().getFirst().content())
                    .text());
        }
    }

    @Test
    void theLegacySdkClientOf2025_06_18UsesTheAggregateEndpoint() {
        try (McpSyncClient client = legacyClient("/mcp", List.of("2025-06-18"))) {
            McpSchema.InitializeResult init = client.initialize();
            List<String> tools = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            McpSchema.CallToolResult added = client.callTool(new McpSchema.CallToolRequest("modern.add",
                    Map.of("a", 2, "b", 3)));

            assertEquals("2025-06-18", init.protocolVersion());
            assertTrue(tools.containsAll(List.of("legacy.echo", "modern.echo", "modern.add")), tools.toString());
            assertEquals("5.0", ((McpSchema.TextContent) added.content().getFirst()).text());
        }
    }

    @Test
    void theModernSdkClientDiscoversListsAndCallsStatelessly() {
        HttpClientMcpTransport transport = HttpClientMcpTransport.builder(gateway.proxy("/modern/mcp"))
                .requestCustomizer(McpHttpRequestCustomizer.fromSync((request, headers, context) ->
                        headers.set("Authorization", key.bearer())))
                .build();
        io.modelcontextprotocol.modern.client.McpSyncClient client =
                io.modelcontextprotocol.modern.client.McpClient.sync(transport).build();

        io.modelcontextprotocol.modern.McpSchema.DiscoverResult discovered = client.discover();
        List<io.modelcontextprotocol.modern.McpSchema.Tool> tools = client.tools().list().tools();
        io.modelcontextprotocol.modern.McpSchema.CallToolResult echoed = client.tool("echo")
                .arguments(Map.of("text", "stateless")).call();
        io.modelcontextprotocol.modern.McpSchema.Tool region = tools.stream()
                .filter(t -> t.name().equals("region")).findFirst().orElseThrow();
        io.modelcontextprotocol.modern.McpSchema.CallToolResult inRegion = client.tool(region)
                .arguments(Map.of("region", "eu-west-1", "query", "select 1")).call();

        assertTrue(discovered.supportedVersions().contains("2026-07-28"), discovered.toString());
        assertTrue(tools.stream().anyMatch(t -> t.name().equals("echo")));
        assertEquals("stateless", ((io.modelcontextprotocol.modern.McpSchema.TextContent) echoed.content()
                .getFirst()).text());
        assertEquals("complete", echoed.resultType());
        assertEquals("done", ((io.modelcontextprotocol.modern.McpSchema.TextContent) inRegion.content()
                .getFirst()).text());
        assertEquals("eu-west-1", modernUpstream.calls("tools/call").getLast().headers().get("mcp-param-region"));
    }
}
