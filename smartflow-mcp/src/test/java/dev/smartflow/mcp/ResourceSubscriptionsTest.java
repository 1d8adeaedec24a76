package dev.smartflow.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.testkit.Await;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code resources/subscribe}: a legacy client subscribes in its session and hears the upstream's
 * {@code notifications/resources/updated} on its GET stream (per-server and aggregate URIs), until it unsubscribes;
 * servers it may not use are refused; a 2026-07-28 client subscribes with {@code subscriptions/listen}.
 */
class ResourceSubscriptionsTest {
    static final HttpClient STREAMS = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final String STATUS = TestMcpLogic.STATUS;
    static final String README = "file:///readme.md";
    static final String AGGREGATE_STATUS = "smartflow://alpha/file%3A%2F%2F%2Fstatus.txt";

    @TempDir
    Path data;
    TestGateway gateway;
    TestMcpServer alpha;
    TestMcpServer beta;

    @BeforeEach
    void start() {
        alpha = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
        beta = new TestMcpServer(TestMcpLogic.Mode.V2025_06_18);
        gateway = new TestGateway(data);
        gateway.register("{\"id\":\"alpha\",\"base_url\":\"" + alpha.url() + "\"}");
        gateway.register("{\"id\":\"beta\",\"base_url\":\"" + beta.url() + "\"}");
    }

    @AfterEach
    void stop() {
        gateway.close();
        alpha.close();
        beta.close();
    }

    @Test
    void aLegacyClientHearsUpdatesOfWhatItSubscribedToUntilItUnsubscribes() throws Exception {
        RpcClient client = RpcClient.legacy(gateway.proxy("/alpha/mcp"), TestGateway.M);
        Await.until(Duration.ofSeconds(10), "the endpoint offers subscriptions", () -> client.initialize("2025-11-25")
                .path("capabilities").path("resources").path("subscribe").asBoolean());
        BlockingQueue<String> events = getStream(gateway.proxy("/alpha/mcp"), client);

        JsonNode subscribed = client.result("resources/subscribe", uri(STATUS));
        Await.until(Duration.ofSeconds(10), "the gateway holds the upstream's GET stream", () -> alpha.openStreams()
                == 1);
        assertEquals(1, alpha.touch(STATUS));

        JsonNode update = Http.JSON.readTree(nextUpdate(events));
        assertTrue(subscribed.isEmpty(), subscribed.toString());
        assertEquals("notifications/resources/updated", update.path("method").asText());
        assertEquals(STATUS, update.path("params").path("uri").asText());
        assertEquals("status 2", client.result("resources/read", uri(STATUS)).path("contents").get(0)
                .path("text").asText());
        String upstreamSession = alpha.calls("resources/subscribe").getFirst().headers().get("mcp-session-id");
        assertEquals(upstreamSession, alpha.seen.stream().filter(s -> s.method().equals("GET")).findFirst()
                .orElseThrow().headers().get("mcp-session-id"));

        client.result("resources/subscribe", uri(README));
        client.result("resources/unsubscribe", uri(STATUS));
        assertEquals(1, alpha.calls("resources/unsubscribe").size());
        // an upstream that goes on sending is not relayed any more: the next update is the one still subscribed
        assertEquals(1, alpha.touchAll(STATUS));
        assertEquals(1, alpha.touch(README));
        assertEquals(README, Http.JSON.readTree(nextUpdate(events)).path("params").path("uri").asText());
    }

    @Test
    void theAggregateEndpointSubscribesBySmartflowUriAndNamesTheUpdateSo() throws Exception {
        RpcClient client = RpcClient.legacy(gateway.proxy("/mcp"), TestGateway.M);
        Await.until(Duration.ofSeconds(10), "the aggregate offers subscriptions", () -> client.initialize(
                "2025-11-25").path("capabilities").path("resources").path("subscribe").asBoolean());
        BlockingQueue<String> events = getStream(gateway.proxy("/mcp"), client);

        client.result("resources/subscribe", uri(AGGREGATE_STATUS));
        Await.until(Duration.ofSeconds(10), "the gateway holds the upstream's GET stream", () -> alpha.openStreams()
                == 1);
        alpha.touch(STATUS);

        JsonNode update = Http.JSON.readTree(nextUpdate(events));
        assertEquals(STATUS, alpha.calls("resources/subscribe").getFirst().body().path("params").path("uri")
                .asText());
        assertEquals(AGGREGATE_STATUS, update.path("params").path("uri").asText());
        assertEquals(0, beta.calls("resources/subscribe").size());
    }

    @Test
    void serversTheKeyMayNotUseAndBadRequestsAreRefused() {
        TestGateway.Key key = gateway.createKey("{\"name\":\"k\",\"owner_id\":\"o\",\"tags\":{\"mcp_servers\":"
                + "\"alpha\"}}");
        RpcClient client = RpcClient.legacy(gateway.proxy("/mcp"), key.bearer());
        client.initialize("2025-11-25");

        JsonNode forbidden = client.error("resources/subscribe", uri("smartflow://beta/file%3A%2F%2F%2Fstatus.txt"));
        JsonNode unknown = client.error("resources/subscribe", uri("file:///status.txt"));
        JsonNode noUri = client.error("resources/subscribe", Http.JSON.createObjectNode());
        Http.Reply perServer = RpcClient.legacy(gateway.proxy("/beta/mcp"), key.bearer())
                .request("resources/subscribe", uri(STATUS));
        RpcClient stateless = RpcClient.legacy(gateway.proxy("/alpha/mcp"), key.bearer());
        stateless.version = Optional.of("2025-11-25");
        JsonNode withoutSession = stateless.error("resources/subscribe", uri(STATUS));

        assertEquals(-32602, forbidden.path("code").asInt());
        assertEquals(-32602, unknown.path("code").asInt());
        assertEquals(-32602, noUri.path("code").asInt());
        assertEquals(403, perServer.status(), perServer.body());
        assertEquals(-31403, perServer.json().path("error").path("code").asInt());
        assertEquals(-32600, withoutSession.path("code").asInt());
        assertTrue(beta.calls("resources/subscribe").isEmpty());
        assertTrue(alpha.calls("resources/subscribe").isEmpty());
    }

    @Test
    void anUpstreamErrorIsPassedOnAndNothingIsKept() throws Exception {
        RpcClient client = RpcClient.legacy(gateway.proxy("/alpha/mcp"), TestGateway.M);
        client.initialize("2025-11-25");

        JsonNode error = client.error("resources/subscribe", uri("file:///missing.txt"));

        assertEquals(-32002, error.path("code").asInt(), error.toString());
    }

    @Test
    void aModernClientSubscribesWithSubscriptionsListen() throws Exception {
        ObjectNode params = Http.JSON.createObjectNode();
        params.putObject("notifications").putArray("resourceSubscriptions").add(STATUS);
        params.putObject("_meta").put("io.modelcontextprotocol/protocolVersion", "2026-07-28")
                .putObject("io.modelcontextprotocol/clientCapabilities");
        HttpRequest listen = HttpRequest.newBuilder(URI.create(gateway.proxy("/alpha/mcp")))
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":"
                        + "\"subscriptions/listen\",\"params\":" + params + "}"))
                .header("Authorization", TestGateway.M).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "subscriptions/listen").build();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpResponse<Stream<String>> stream = STREAMS.send(listen, HttpResponse.BodyHandlers.ofLines());
        read(stream, lines);

        JsonNode ack = Http.JSON.readTree(nextData(lines));
        assertEquals("notifications/subscriptions/acknowledged", ack.path("method").asText());
        assertEquals(STATUS, ack.path("params").path("notifications").path("resourceSubscriptions").get(0).asText());
        assertFalse(ack.path("params").path("notifications").has("toolsListChanged"));
        Await.until(Duration.ofSeconds(10), "the gateway holds the upstream's GET stream", () -> alpha.openStreams()
                == 1);
        alpha.touch(STATUS);

        JsonNode update = Http.JSON.readTree(nextData(lines));
        assertEquals("notifications/resources/updated", update.path("method").asText());
        assertEquals(STATUS, update.path("params").path("uri").asText());
        assertEquals(7, update.path("params").path("_meta").path("io.modelcontextprotocol/subscriptionId").asInt());
        stream.body().close();
        // the gateway notices the hang-up when it next writes to the stream: the resource goes on changing
        Await.until(Duration.ofSeconds(10), "the hang-up ended the subscription upstream", () -> {
            alpha.touchAll(STATUS); // the test server, too, notices a closed stream when it writes to it
            return alpha.calls("resources/unsubscribe").size() == 1 && alpha.openStreams() == 0;
        });

        RpcClient modern = RpcClient.modern(gateway.proxy("/alpha/mcp"), TestGateway.M);
        Http.Reply legacyMethod = modern.request("resources/subscribe", uri(STATUS));
        assertEquals(404, legacyMethod.status(), legacyMethod.body());
        assertEquals(-32601, legacyMethod.json().path("error").path("code").asInt());
    }

    static ObjectNode uri(String uri) {
        return Http.JSON.createObjectNode().put("uri", uri);
    }

    /** Opens the session's GET stream; its lines go into the returned queue. */
    static BlockingQueue<String> getStream(String url, RpcClient client) throws Exception {
        HttpRequest get = HttpRequest.newBuilder(URI.create(url)).GET()
                .header("Authorization", client.authorization).header("Accept", "text/event-stream")
                .header("Mcp-Session-Id", client.session.orElseThrow()).build();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpResponse<Stream<String>> stream = STREAMS.send(get, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        read(stream, lines);
        return lines;
    }

    static void read(HttpResponse<Stream<String>> stream, BlockingQueue<String> lines) {
        Thread.ofVirtual().start(() -> {
            try {
                stream.body().forEach(lines::add);
            } catch (UncheckedIOException e) {
                // the test closed the stream
            }
        });
    }

    /** The next {@code notifications/resources/updated} (list changes, as the catalog's first read, are skipped). */
    static String nextUpdate(BlockingQueue<String> lines) throws Exception {
        while (true) {
            String data = nextData(lines);
            if (!Http.JSON.readTree(data).path("method").asText().equals("notifications/tools/list_changed")) {
                return data;
            }
        }
    }

    static String nextData(BlockingQueue<String> lines) throws InterruptedException {
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
