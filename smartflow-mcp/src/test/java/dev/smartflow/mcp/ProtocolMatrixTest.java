package dev.smartflow.mcp;

import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every client revision against every upstream revision: a client of 2025-06-18, of 2025-11-25, one of the
 * 2025-03-26 kind that never initializes (the API reference's example), and a 2026-07-28 client, each through the
 * gateway to an upstream of 2025-06-18, 2025-11-25 (JSON and SSE answers) and 2026-07-28. Each lists, calls a tool
 * (its {@code structuredContent} passed through), reads the resource and gets the prompt.
 */
class ProtocolMatrixTest {
    @TempDir
    static Path data;
    static TestGateway gateway;
    static final List<TestMcpServer> upstreams = new ArrayList<>();

    enum Upstream {
        V2025_06_18(TestMcpLogic.Mode.V2025_06_18, false),
        V2025_11_25(TestMcpLogic.Mode.V2025_11_25, false),
        V2025_11_25_SSE(TestMcpLogic.Mode.V2025_11_25, true),
        V2026_07_28(TestMcpLogic.Mode.MODERN, false);

        final TestMcpLogic.Mode mode;
        final boolean sse;

        Upstream(TestMcpLogic.Mode mode, boolean sse) {
            this.mode = mode;
            this.sse = sse;
        }

        String id() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    enum Client {
        V2025_06_18, V2025_11_25, UNINITIALIZED, V2026_07_28
    }

    @BeforeAll
    static void start() {
        gateway = new TestGateway(data);
        for (Upstream upstream : Upstream.values()) {
            TestMcpServer server = new TestMcpServer(upstream.mode).sse(upstream.sse);
            upstreams.add(server);
            gateway.register("{\"id\":\"" + upstream.id() + "\",\"base_url\":\"" + server.url() + "\"}");
        }
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstreams.forEach(TestMcpServer::close);
    }

    static Stream<Arguments> pairs() {
        List<Arguments> pairs = new ArrayList<>();
        for (Client client : Client.values()) {
            for (Upstream upstream : Upstream.values()) {
                pairs.add(Arguments.of(client, upstream));
            }
        }
        return pairs.stream();
    }

    private static RpcClient connect(Client client, Upstream upstream) {
        String url = gateway.proxy("/" + upstream.id() + "/mcp");
        return switch (client) {
            case V2025_06_18 -> {
                RpcClient rpc = RpcClient.legacy(url, TestGateway.M);
                assertEquals("2025-06-18", rpc.initialize("2025-06-18").path("protocolVersion").asText());
                yield rpc;
            }
            case V2025_11_25 -> {
                RpcClient rpc = RpcClient.legacy(url, TestGateway.M);
                assertEquals("2025-11-25", rpc.initialize("2025-11-25").path("protocolVersion").asText());
                yield rpc;
            }
            case UNINITIALIZED -> RpcClient.legacy(url, TestGateway.M);
            case V2026_07_28 -> RpcClient.modern(url, TestGateway.M);
        };
    }

    @ParameterizedTest(name = "client {0} via upstream {1}")
    @MethodSource("pairs")
    void everyClientRevisionUsesEveryUpstreamRevision(Client client, Upstream upstream) {
        RpcClient rpc = connect(client, upstream);

        List<String> tools = rpc.toolNames();
        JsonNode echoed = rpc.callTool("echo", args("text", "hi from " + client));
        JsonNode resource = rpc.result("resources/read", Http.JSON.createObjectNode().put("uri", "file:///readme.md"));
        ObjectNode promptParams = Http.JSON.createObjectNode().put("name", "greet");
        promptParams.set("arguments", args("who", "Ada"));
        JsonNode prompt = rpc.result("prompts/get", promptParams);

        assertTrue(tools.contains("echo") && tools.contains("add"), tools.toString());
        assertEquals("hi from " + client, echoed.path("content").get(0).path("text").asText());
        assertEquals("test-" + upstream.mode.version, echoed.path("structuredContent").path("server").asText());
        assertTrue(resource.path("contents").get(0).path("text").asText().startsWith("# Read me"));
        assertEquals("Say hello to Ada", prompt.path("messages").get(0).path("content").path("text").asText());
        boolean modern = client == Client.V2026_07_28;
        assertEquals(modern, echoed.has("resultType"), echoed.toString());
        if (modern) {
            assertEquals("complete", echoed.path("resultType").asText());
            assertTrue(echoed.path("_meta").has("io.modelcontextprotocol/serverInfo"));
        } else {
            assertFalse(echoed.has("ttlMs"));
        }
    }
}
