package dev.smartflow.compliance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.spi.Policy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicySettingsTest {
    private static JsonNode yaml(String json) {
        return Body.json(json).json();
    }

    @Test
    void withoutASectionEverySettingHasItsDefault() {
        PolicySettings settings = PolicySettings.from(MissingNode.getInstance());

        assertTrue(settings.enabled());
        assertTrue(settings.similarity());
        assertEquals(0.5, settings.similarityThreshold());
        assertFalse(settings.trustForwardedFor());
        assertEquals(Duration.ofSeconds(5), settings.refresh());
        assertFalse(settings.judge().enabled());
        assertEquals(Policy.Severity.HIGH, settings.judge().minSeverity());
        assertEquals("gpt-4o", settings.generate().model());
        assertEquals(50L * 1024 * 1024, settings.generate().maxDocumentBytes());
        assertEquals(12_000, settings.generate().chunkChars());
        assertEquals(Duration.ofSeconds(60), settings.generate().lease());
    }

    @Test
    void aWrongSettingFailsTheStartNamingIt() {
        Map<String, String> cases = Map.of(
                "{\"similarity_treshold\": 0.4}", "policy.similarity_treshold",
                "{\"similarity_threshold\": 1.5}", "policy.similarity_threshold",
                "{\"judge\": {\"enabled\": true}}", "policy.judge.model",
                "{\"judge\": {\"min_severity\": \"extreme\", \"model\": \"m\"}}", "policy.judge.min_severity",
                "{\"generate\": {\"chunk_chars\": 10}}", "policy.generate.chunk_chars",
                "{\"generate\": {\"pages\": 3}}", "policy.generate.pages",
                "{\"enabled\": \"sometimes\"}", "policy.enabled",
                "{\"generate\": 3}", "policy.generate");
        cases.forEach((json, name) -> {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> PolicySettings.from(yaml(json)), json);
            assertTrue(refused.getMessage().contains(name), refused.getMessage());
        });
    }
}
