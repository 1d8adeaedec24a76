package dev.smartflow.mcp;

import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregate endpoint's names (tools and prompts as {@code server_id.name}, resources as
 * {@code smartflow://server_id/...}), and the notification streams that tell clients their tools changed: a legacy
 * client's GET stream and a modern client's {@code subscriptions/listen}.
 */
class NotificationsAndAggregateTest {
    private static final HttpClient STREAMS = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path data;
    TestGateway gateway;
    TestMcpServer first;
    TestMcpServer second;

    @BeforeEach
    void start() {
        first = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
        second = new TestMcpServer(TestMcpLogic.Mode.MODERN);
        gateway = new TestGateway(data);
        gateway.register("{\"id\":\"alpha\",\"base_url\":\"" + first.url() + "\"}");
        gateway.register("{\"id\":\"beta\",\"base_url\":\"" + second.url() + "\"}");
    }

    @AfterEach
    void stop() {
        gateway.close();
        first.close();
        second.close();
    }

    @Test
    void theAggregateEndpointNamesEverythingByItsServer() {
        RpcClient client = RpcClient.legacy(gateway.proxy("/mcp"), TestGateway.M);
        client.initialize("2025-11-25");

        List<String> tools = client.toolNames();
        JsonNode fromBeta = client.callTool("beta.echo", args("text", "b"));
        JsonNode prompts = client.result("prompts/list", Http.JSON.createObjectNode());
        JsonNode resources = client.result("resources/list", Http.JSON.createObjectNode());
        String uri = resources.path("resources").get(0).path("uri").asText();
        JsonNode read = client.result("resources/read", Http.JSON.createObjectNode().put("uri", uri));
        ObjectNode get = Http.JSON.createObjectNode().put("name", "beta.greet");
        get.set("arguments", args("who", "Linus"));
        JsonNode prompt = client.result("prompts/get", get);

        assertTrue(tools.containsAll(List.of("alpha.echo", "beta.echo", "alpha.add")), tools.toString());
        assertEquals("test-2026-07-28", fromBeta.path("structuredContent").path("server").asText());
        assertEquals("alpha.greet", prompts.path("prompts").get(0).path("name").asText());
        assertEquals("beta.greet", prompts.path("prompts").get(1).path("name").asText());
        assertEquals("smartflow://alpha/file%3A%2F%2F%2Freadme.md", uri);
        assertEquals(uri, read.path("contents").get(0).path("uri").asText());
        assertEquals("# Read me, from test-2025-11-25", read.path("contents").get(0).path("text").asText());
        assertEquals("Say hello to Linus", prompt.path("messages").get(0).path("content").path("text").asText());
        assertEquals(-32602, client.error("resources/read", Http.JSON.createObjectNode().put("uri",
                "file:///readme.md")).path("code").asInt());
    }

    @Test
    void aLegacyClientsGetStreamHearsThatToolsChanged() throws Exception {
        RpcClient client = RpcClient.legacy(gateway.proxy("/mcp"), TestGateway.M);
        client.initialize("2025-11-25");
        HttpRequest get = HttpRequest.newBuilder(URI.create(gateway.proxy("/mcp"))).GET()
                .header("Authorization", TestGateway.M).header("Accept", "text/event-stream")
                .header("Mcp-Session-Id", client.session.orElseThrow()).build();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpResponse<Stream<String>> stream = STREAMS.send(get, HttpResponse.BodyHandlers.ofLines());
        read(stream, lines);
        assertTrue(stream.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));

        gateway.register("{\"id\":\"gamma\",\"base_url\":\"" + first.url() + "\"}");

        assertTrue(nextData(lines).contains("notifications/tools/list_changed"));
        assertTrue(client.toolNames().contains("gamma.echo"));
        stream.body().close();
    }

    @Test
    void aModernClientsSubscriptionIsAcknowledgedAndHearsThatToolsChanged() throws Exception {
        ObjectNode params = Http.JSON.createObjectNode();
        params.putObject("notifications").put("toolsListChanged", true);
        params.putObject("_meta").put("io.modelcontextprotocol/protocolVersion", "2026-07-28")
                .putObject("io.modelcontextprotocol/clientCapabilities");
        HttpRequest listen = HttpRequest.newBuilder(URI.create(gateway.proxy("/beta/mcp")))
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":41,\"method\":"
                        + "\"subscriptions/listen\",\"params\":" + params + "}"))
                .header("Authorization", TestGateway.M).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "subscriptions/listen").build();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpResponse<Stream<String>> stream = STREAMS.send(listen, HttpResponse.BodyHandlers.ofLines());
        read(stream, lines);

        JsonNode ack = Http.JSON.readTree(nextData(lines));
        assertEquals("notifications/subscriptions/acknowledged", ack.path("method").asText());
        assertEquals(41, ack.path("params").path("_meta").path("io.modelcontextprotocol/subscriptionId").asInt());
        assertTrue(ack.path("params").path("notifications").path("toolsListChanged").asBoolean());

        Http.delete(gateway.proxy("/api/mcp/servers/alpha"), "Authorization", TestGateway.M);

        JsonNode changed = Http.JSON.readTree(nextData(lines));
        assertEquals("notifications/tools/list_changed", changed.path("method").asText());
        assertEquals(41, changed.path("params").path("_meta").path("io.modelcontextprotocol/subscriptionId")
                .asInt());
        stream.body().close();
    }

    /** Reads the stream's lines into {@code lines} until it is closed. */
    private static void read(HttpResponse<Stream<String>> stream, BlockingQueue<String> lines) {
        Thread.ofVirtual().start(() -> {
            try {
                stream.body().forEach(lines::add);
            } catch (UncheckedIOException e) {
                // the test closed the stream
            }
        });
    }

    private static String nextData(BlockingQueue<String> lines) throws InterruptedException {
        while (true) {
            String line = lines.poll(10, TimeUnit.SECONDS);
            if (line == null) {
                throw new AssertionError("no event within 10 s");
            }
            if (line.startsWith("data:")) {
                return line.substring(5).strip();
            }
        }
    }

}
