package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.Response;

/** What the audit suites share: reading the log over the management API, the spool on disk, and bounded waits. */
final class Audits {
    static final String LOGS = "/api/vas/logs";

    private Audits() {
    }

    /** {@code GET /api/vas/logs?<query>} with the master key; must answer 200. */
    static JsonNode logs(Gateway gateway, String query) throws IOException {
        return Gateway.JSON.readTree(logsText(gateway, query));
    }

    /** The answer's text, as sent. */
    static String logsText(Gateway gateway, String query) throws IOException {
        String path = LOGS + (query.isEmpty() ? "" : "?" + query);
        try (Response response = gateway.get(gateway.url(Service.MANAGEMENT, path), "authorization",
                "Bearer " + Gateway.MASTER)) {
            String body = response.body().string();
            assertEquals(200, response.code(), body);
            return body;
        }
    }

    /** The logged entries by request id, through the API. */
    static Map<String, JsonNode> entries(Gateway gateway, String query) throws IOException {
        Map<String, JsonNode> byId = new HashMap<>();
        logs(gateway, query).path("data").forEach(entry -> byId.put(entry.path("request_id").asText(), entry));
        return byId;
    }

    /** The spool's segment files under {@code dataDir}. */
    static List<Path> segments(Path dataDir) {
        Path spool = dataDir.resolve(SmartflowServer.AUDIT_SPOOL);
        if (!Files.isDirectory(spool)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(f -> f.getFileName().toString().startsWith("audit-")).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits, up to 30 s, until {@code condition} holds. */
    static void await(Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
