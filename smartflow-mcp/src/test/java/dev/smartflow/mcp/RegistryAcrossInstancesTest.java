package dev.smartflow.mcp;

import static dev.smartflow.mcp.TestGateway.M;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.server.testing.SharedServers;
import dev.smartflow.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two gateways on one real Redis and PostgreSQL: a change to the registry on one is served by the other at once. */
class RegistryAcrossInstancesTest {
    @RegisterExtension
    static final SharedServers SHARED = new SharedServers("mcp-test-");

    @TempDir
    Path data;

    @Test
    void aRegistrationChangeAndRemovalOnOneInstanceReachTheOther() {
        Map<String, String> env = SHARED.env();
        String prefix = SHARED.prefix();
        try (TestGateway first = new TestGateway(data.resolve("a"), env, "", prefix);
             TestGateway second = new TestGateway(data.resolve("b"), env, "", prefix)) {
            assertEquals(0, servers(second));

            first.register("{\"id\":\"shared\",\"base_url\":\"https://shared.example.com/mcp\"}");
            Await.until(Duration.ofSeconds(5), "the second instance lists the new server", () -> servers(second) == 1);

            Http.put(first.proxy("/api/mcp/servers/shared"),
                    "{\"base_url\":\"https://moved.example.com/mcp\"}", "Authorization", M);
            Await.until(Duration.ofSeconds(5), "the second instance sees the change", () -> Http.get(
                    second.proxy("/api/mcp/servers/shared"), "Authorization", M).json().path("server")
                    .path("base_url").asText().equals("https://moved.example.com/mcp"));

            Http.delete(first.proxy("/api/mcp/servers/shared"), "Authorization", M);
            Await.until(Duration.ofSeconds(5), "the second instance forgets it", () -> servers(second) == 0);
        }
    }

    private static int servers(TestGateway gateway) {
        return Http.get(gateway.proxy("/api/mcp/servers"), "Authorization", M).json().path("total").asInt();
    }
}
