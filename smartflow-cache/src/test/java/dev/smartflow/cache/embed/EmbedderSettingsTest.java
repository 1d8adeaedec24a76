package dev.smartflow.cache.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EmbedderSettingsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aMissingSectionMeansTheBundledModel() {
        EmbedderSettings settings = EmbedderSettings.from(MissingNode.getInstance());

        assertEquals(EmbedderSettings.Type.ONNX, settings.type());
        assertEquals("all-minilm-l6-v2-q", settings.model());
        assertEquals(32, settings.batch());
        assertEquals(false, settings.tensorBatches());
    }

    @Test
    void everyKeyIsRead() throws Exception {
        EmbedderSettings settings = EmbedderSettings.from(json("""
                {"type": "provider", "model": "text-embedding-3-large", "batch": "8", "threads": 1,
                 "tensor_batches": true, "dimensions": 256, "load_timeout": "5s"}"""));

        assertEquals(new EmbedderSettings(EmbedderSettings.Type.PROVIDER, "text-embedding-3-large", 8, 1, true,
                Optional.of(256), Duration.ofSeconds(5)), settings);
    }

    @Test
    void aProviderWithoutAModelUsesTextEmbedding3Small() throws Exception {
        assertEquals("text-embedding-3-small", EmbedderSettings.from(json("{\"type\": \"provider\"}")).model());
    }

    @Test
    void badValuesNameTheirKey() {
        assertMessage("{\"type\": \"pytorch\"}", "cache.embedder.type must be onnx or provider");
        assertMessage("{\"batch\": 0}", "cache.embedder.batch");
        assertMessage("{\"batch\": \"many\"}", "cache.embedder.batch must be a whole number");
        assertMessage("{\"model\": \"bge-small\"}", "the onnx embedder runs all-minilm-l6-v2-q only");
        assertMessage("{\"tensor_batches\": \"yes\"}", "cache.embedder.tensor_batches must be true or false");
        assertMessage("{\"load_timeout\": \"soon\"}", "cache.embedder.load_timeout");
        assertMessage("{\"batsh\": 3}", "unknown keys [batsh]");
    }

    private static void assertMessage(String section, String expected) {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> EmbedderSettings.from(json(section)));
        assertTrue(failure.getMessage().contains(expected), failure.getMessage());
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
