package dev.smartflow.mcp;

import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code resources/subscribe} on the other upstream transports: the updates an HTTP+SSE server sends on the owner's SSE
 * stream, and those a stdio server writes on the owner's process output, reach the client's GET stream.
 */
class ResourceSubscriptionTransportsTest {
    @TempDir
    Path data;
    TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = new TestGateway(data);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void anHttpSseServersUpdatesReachTheSubscribedClient() throws Exception {
        try (SseTestServer upstream = new SseTestServer()) {
            gateway.register("{\"id\":\"old\",\"base_url\":\"" + upstream.url() + "\",\"transport\":\"sse\"}");
            RpcClient client = RpcClient.legacy(gateway.proxy("/old/mcp"), TestGateway.M);
            client.initialize("2025-11-25");
            BlockingQueue<String> events = ResourceSubscriptionsTest.getStream(gateway.proxy("/old/mcp"), client);

            client.result("resources/subscribe", ResourceSubscriptionsTest.uri(TestMcpLogic.STATUS));
            assertEquals(1, upstream.touch(TestMcpLogic.STATUS));

            JsonNode update = Http.JSON.readTree(ResourceSubscriptionsTest.nextUpdate(events));
            assertEquals("notifications/resources/updated", update.path("method").asText());
            assertEquals(TestMcpLogic.STATUS, update.path("params").path("uri").asText());
        }
    }

    @Test
    void aStdioServersUpdatesReachTheSubscribedClient() throws Exception {
        gateway.register(StdioUpstreamTest.registration("local"));
        RpcClient client = RpcClient.legacy(gateway.proxy("/local/mcp"), TestGateway.M);
        client.initialize("2025-11-25");
        BlockingQueue<String> events = ResourceSubscriptionsTest.getStream(gateway.proxy("/local/mcp"), client);
        Await.until(Duration.ofSeconds(20), "the server's resources are known", () -> client.request(
                "resources/subscribe", ResourceSubscriptionsTest.uri(TestMcpLogic.STATUS)).json().has("result"));

        client.callTool("echo", args("text", "touch:" + TestMcpLogic.STATUS));

        JsonNode update = Http.JSON.readTree(ResourceSubscriptionsTest.nextUpdate(events));
        assertEquals("notifications/resources/updated", update.path("method").asText());
        assertEquals(TestMcpLogic.STATUS, update.path("params").path("uri").asText());
    }
}
