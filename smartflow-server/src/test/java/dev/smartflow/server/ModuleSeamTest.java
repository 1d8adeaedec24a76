package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A module added without touching core or the server's wiring: {@link NotesModule}, registered only through
 * {@code META-INF/services}, lands its stage in its slot, its facts in the audit record, its route on the management
 * port and its closeable in the server's shutdown.
 */
class ModuleSeamTest {
    private static final String CHAT =
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    Path dir;

    @Test
    void aModuleOnTheClassPathAddsItsStageRouteFactsAndCloseable() throws Exception {
        Path config = dir.resolve("smartflow.yaml");
        Files.writeString(config, "notes_module:\n  score: 0.5\n");
        int closedBefore = NotesModule.CLOSED.get();
        try (Upstream upstream = new Upstream();
             Gateway gateway = new Gateway(upstream, dir.resolve("data"), Optional.of(config), Map.of())) {
            try (Response answer = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT,
                    "authorization", "Bearer " + Gateway.MASTER, "x-request-id", "module-1")) {
                assertEquals(200, answer.code());
                assertEquals("authenticated-before-plan", answer.header("x-notes-module"));
            }

            try (Response count = gateway.get(gateway.url(Service.MANAGEMENT, "/api/notes-module"),
                    "authorization", "Bearer " + Gateway.MASTER)) {
                assertEquals(200, count.code());
                assertEquals(1, Gateway.json(count).path("calls").asInt());
            }
            try (Response refused = gateway.get(gateway.url(Service.MANAGEMENT, "/api/notes-module"))) {
                assertEquals(401, refused.code());
            }
            // a module's session admits a keyless admin call, refuses a bad one, and never overrides a key
            try (Response session = gateway.get(gateway.url(Service.MANAGEMENT, "/api/notes-module"),
                    "x-notes-session", "let-me-in")) {
                assertEquals(200, session.code());
            }
            try (Response refused = gateway.get(gateway.url(Service.MANAGEMENT, "/api/vas/logs"),
                    "x-notes-session", "other")) {
                assertEquals(403, refused.code());
                assertEquals("notes_refused", Gateway.json(refused).path("error").path("code").asText());
            }
            try (Response wrongKey = gateway.get(gateway.url(Service.MANAGEMENT, "/api/notes-module"),
                    "authorization", "Bearer sk-wrong", "x-notes-session", "let-me-in")) {
                assertEquals(401, wrongKey.code());
            }
            Audits.await(() -> Audits.entries(gateway, "").containsKey("module-1"), "the call is logged");
            JsonNode entry = Audits.entries(gateway, "").get("module-1");
            assertEquals(0.5, entry.path("compliance_score").asDouble());
            assertEquals("notes.module", entry.path("compliance_flags").get(0).asText());
        }
        assertEquals(closedBefore + 1, NotesModule.CLOSED.get(), "closed with the server");
    }

    @Test
    void withoutItsSectionTheModuleStaysOut() throws Exception {
        try (Upstream upstream = new Upstream(); Gateway gateway = new Gateway(upstream, dir.resolve("data"))) {
            try (Response answer = gateway.post(gateway.proxy("/v1/chat/completions"), CHAT,
                    "authorization", "Bearer " + Gateway.MASTER)) {
                assertEquals(200, answer.code());
                assertTrue(answer.header("x-notes-module") == null);
            }
            try (Response missing = gateway.get(gateway.url(Service.MANAGEMENT, "/api/notes-module"),
                    "authorization", "Bearer " + Gateway.MASTER)) {
                assertEquals(404, missing.code());
            }
        }
    }
}
