package dev.smartflow.mcp;

import static dev.smartflow.mcp.AccessControlTest.call;
import static dev.smartflow.mcp.RpcClient.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tool call's arguments and result pass the guardrail on the class path ({@link MarkerGuardrail} here, the
 * compliance module's in the app): a {@code strict} server blocks what it flags, a {@code log} server lets it through
 * and notes the finding on the audit record.
 */
class GuardrailTest {
    @TempDir
    Path data;
    TestGateway gateway;
    TestMcpServer upstream;

    @BeforeEach
    void start() {
        upstream = new TestMcpServer(TestMcpLogic.Mode.V2025_11_25);
        gateway = new TestGateway(data);
        gateway.register("{\"id\":\"strict\",\"base_url\":\"" + upstream.url() + "\",\"guardrail_mode\":\"strict\"}");
        gateway.register("{\"id\":\"lenient\",\"base_url\":\"" + upstream.url() + "\",\"guardrail_mode\":\"log\"}");
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    private RpcClient client(String server) {
        RpcClient client = RpcClient.legacy(gateway.proxy("/" + server + "/mcp"), TestGateway.M);
        client.initialize("2025-11-25");
        return client;
    }

    @Test
    void aStrictServerBlocksFlaggedArgumentsBeforeTheUpstreamSeesThem() {
        JsonNode error = client("strict").error("tools/call", call("echo", args("text", "card 4111 1111 1111 1111")));

        assertEquals(-31403, error.path("code").asInt());
        assertTrue(error.path("message").asText().contains("pii.card"), error.toString());
        assertTrue(upstream.calls("tools/call").isEmpty());
    }

    @Test
    void aStrictServerWithholdsAFlaggedResult() {
        JsonNode result = client("strict").callTool("echo", args("text", "a leak"));

        assertTrue(result.path("isError").asBoolean());
        assertFalse(result.toString().contains("a leak"), result.toString());
        assertTrue(result.path("content").get(0).path("text").asText().contains("secret.leak"));
    }

    @Test
    void aLoggingServerLetsFindingsThroughAndNotesThemOnTheAuditRecord() {
        JsonNode result = client("lenient").callTool("echo", args("text", "a leak"));

        assertEquals("a leak", result.path("content").get(0).path("text").asText());
        Await.until(Duration.ofSeconds(5), "the audit record notes the finding", () -> Http.get(
                gateway.management("/api/vas/logs?limit=20"), "Authorization", TestGateway.M).body()
                .contains("secret.leak"));
    }
}
