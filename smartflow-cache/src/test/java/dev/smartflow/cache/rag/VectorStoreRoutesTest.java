package dev.smartflow.cache.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routes' settings, as a server starts with them. */
class VectorStoreRoutesTest {
    @TempDir
    Path dir;

    @Test
    void enabledFalseLeavesTheRoutesOut() throws Exception {
        String yaml = "cache:\n  vector_stores:\n    enabled: false\n";
        try (RagServer gateway = new RagServer(dir, yaml, RagServer.wordsModule(new WordEmbedder()))) {
            assertEquals(404, gateway.call("GET", "/v1/vector_stores", null, RagServer.MASTER).status());
        }
    }

    @Test
    void theMasterKeyIsATenantOfItsOwn() throws Exception {
        try (RagServer gateway = new RagServer(dir, "", RagServer.wordsModule(new WordEmbedder()))) {
            String key = gateway.virtualKey("k", "{}", "");
            RagServer.Answer created = gateway.call("POST", "/v1/vector_stores", "{\"name\":\"admin\"}",
                    RagServer.MASTER);

            assertEquals(200, created.status(), created.toString());
            assertEquals(200, gateway.call("GET", "/vector_stores/" + created.text("id"), null, RagServer.MASTER)
                    .status(), "without the /v1 prefix too");
            assertEquals(404, gateway.call("GET", "/v1/vector_stores/" + created.text("id"), null, key).status());
        }
    }

    @Test
    void badSettingsStopTheStartNamingTheSetting() {
        IllegalArgumentException enabled = assertThrows(IllegalArgumentException.class, () -> new RagServer(dir,
                "cache:\n  vector_stores:\n    enabled: maybe\n", RagServer.wordsModule(new WordEmbedder())).close());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> new RagServer(dir,
                "cache:\n  vector_stores:\n    max_file_bytes: -5\n", RagServer.wordsModule(new WordEmbedder()))
                .close());

        assertTrue(enabled.getMessage().contains("vector_stores.enabled"), enabled.getMessage());
        assertTrue(size.getMessage().contains("vector_stores.max_file_bytes"), size.getMessage());
    }
}
