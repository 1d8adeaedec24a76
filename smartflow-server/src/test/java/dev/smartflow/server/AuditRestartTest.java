package dev.smartflow.server;

import static dev.smartflow.server.Audits.await;
import static dev.smartflow.server.Audits.entries;
import static dev.smartflow.server.Audits.segments;
import static dev.smartflow.server.BudgetBurstTest.budget;
import static dev.smartflow.server.BudgetBurstTest.createKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * A gateway restarted on the same H2 data dir: its keys and their spend are intact, and the audit records the
 * database could not take before the shutdown, spilled to {@code <data>/audit-spool}, are replayed into it.
 */
class AuditRestartTest extends GatewayTest {
    private static final String CHAT =
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    /** Shutdown gives the database 300 ms, then spills. */
    private static final Map<String, String> QUICK_DRAIN = Map.of("SMARTFLOW_AUDIT_DRAIN_TIMEOUT", "300ms",
            "SMARTFLOW_AUDIT_FLUSH_INTERVAL", "20ms");

    @Test
    void keysSpendAndSpilledRecordsSurviveARestartOnTheSameDataDir() throws Exception {
        // given: a key that has made five logged calls (gpt-4o-mini: 3 micro-USD each)
        gateway.close();
        gateway = new Gateway(upstream, data, QUICK_DRAIN);
        JsonNode key = createKey(gateway, "{\"name\":\"restart\",\"owner_id\":\"team-a\",\"budget_usd\":1}");
        String token = key.path("token").asText();
        String byKey = "key=" + key.path("key_id").asText() + "&limit=1000";
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            call(token, "before-" + i);
            expected.add("before-" + i);
        }
        await(() -> entries(gateway, byKey).keySet().equals(expected), "the first five calls are logged");

        // when: the audit table goes away (keys and spend still work), seven more calls, and a shutdown
        h2("ALTER TABLE audit_log RENAME TO audit_log_away");
        for (int i = 0; i < 7; i++) {
            call(token, "during-" + i);
            expected.add("during-" + i);
        }
        gateway.close();

        // then: the seven wait on disk
        assertFalse(segments(data).isEmpty());
        long spooled = 0;
        for (Path segment : segments(data)) {
            spooled += Files.readAllLines(segment, StandardCharsets.UTF_8).stream()
                    .filter(line -> line.contains("\"during-")).count();
        }
        assertEquals(7, spooled);

        // when: the table is back and the gateway starts again on the same data dir
        h2("ALTER TABLE audit_log_away RENAME TO audit_log", "SHUTDOWN");
        gateway = new Gateway(upstream, data, QUICK_DRAIN);

        // then: the key and its spend are intact (12 calls x 3 micro-USD)
        try (Response shown = gateway.get(gateway.url(Service.MANAGEMENT, "/api/enterprise/vkeys/"
                + key.path("key_id").asText()), "authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(200, shown.code());
            JsonNode again = Gateway.json(shown).path("key");
            assertEquals("restart", again.path("name").asText());
            assertTrue(again.path("active").asBoolean());
        }
        assertEquals(0, new BigDecimal("0.000036").compareTo(budget(gateway, key.path("key_id").asText())
                .path("spent_usd").decimalValue()));
        call(token, "after-0");
        expected.add("after-0");

        // and: the spilled records were replayed, and their segments deleted
        await(() -> entries(gateway, byKey).keySet().equals(expected), "all thirteen calls are logged");
        await(() -> segments(data).isEmpty(), "the spool is empty");
        assertEquals(0, new BigDecimal("0.000039").compareTo(budget(gateway, key.path("key_id").asText())
                .path("spent_usd").decimalValue()));
    }

    private void call(String token, String requestId) throws IOException {
        try (Response response = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT, "authorization",
                "Bearer " + token, "x-request-id", requestId)) {
            assertEquals(200, response.code(), requestId);
        }
    }

    /** Runs statements on the gateway's H2 database, opened in this JVM as the gateway opens it. */
    private void h2(String... statements) throws SQLException {
        String url = "jdbc:h2:file:" + data.toAbsolutePath().resolve("smartflow") + ";MODE=PostgreSQL;"
                + "DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000";
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }
}
