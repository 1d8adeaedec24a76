package dev.smartflow.a2a;

import static dev.smartflow.a2a.TestGateway.M;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.server.testing.SharedServers;
import dev.smartflow.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two gateways on one real Redis and PostgreSQL: an agent registered, changed or removed on one is served by both. */
class RegistryAcrossInstancesTest {
    @RegisterExtension
    static final SharedServers SHARED = new SharedServers("a2a-test-");

    @TempDir
    Path data;

    @Test
    void aRegistrationChangeAndRemovalOnOneInstanceReachTheOther() {
        Map<String, String> env = SHARED.env();
        String prefix = SHARED.prefix();
        try (TestAgent agent = new TestAgent(true, false);
             TestGateway first = new TestGateway(data.resolve("a"), env, "", prefix);
             TestGateway second = new TestGateway(data.resolve("b"), env, "", prefix)) {
            assertEquals(0, agents(second));

            first.register("{\"id\":\"shared\",\"url\":\"https://nowhere.example.com\",\"allowed_keys\":[\"*\"]}");
            Await.until(Duration.ofSeconds(5), "the second instance lists the new agent", () -> agents(second) == 1);

            Http.put(first.proxy("/api/a2a/agents/shared"), "{\"url\":\"" + agent.url() + "\",\"allowed_keys\":"
                    + "[\"*\"]}", "Authorization", M);
            Await.until(Duration.ofSeconds(5), "the second instance serves the changed agent", () -> Http.post(
                    second.proxy("/a2a/shared"), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"GetTask\",\"params\":"
                            + "{\"id\":\"t\"}}", "Authorization", M).json().path("error").path("code").asInt()
                    == -32001);

            Http.delete(first.proxy("/api/a2a/agents/shared"), "Authorization", M);
            Await.until(Duration.ofSeconds(5), "the second instance forgets it", () -> agents(second) == 0);
            assertEquals(404, Http.post(second.proxy("/a2a/shared"), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                    + "\"GetTask\",\"params\":{\"id\":\"t\"}}", "Authorization", M).status());
        }
    }

    private static int agents(TestGateway gateway) {
        return Http.get(gateway.proxy("/api/a2a/agents"), "Authorization", M).json().path("agents").size();
    }
}
