package dev.smartflow.core.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditRecordTest {
    private static final Instant NOW = Instant.parse("2026-11-01T10:00:00.123456789Z");

    private static AuditRecord.Builder builder() {
        return AuditRecord.builder("req-1", NOW, "/v1/chat/completions", "openai", "gpt-4o");
    }

    @Test
    void aBuiltRecordIsASuccessfulUncachedRequestByDefault() {
        AuditRecord record = builder().build();

        assertEquals(200, record.status());
        assertFalse(record.cached());
        assertFalse(record.failed());
        assertEquals(Optional.empty(), record.keyId());
        assertEquals(Instant.parse("2026-11-01T10:00:00.123456Z"), record.timestamp());
    }

    @Test
    void aFailedRecordCarriesItsStatusAndError() {
        AuditRecord record = builder().failed(502, "upstream_error").build();

        assertTrue(record.failed());
        assertEquals(Optional.of("upstream_error"), record.error());
    }

    @Test
    void complianceFlagsAreCopied() {
        List<String> flags = new ArrayList<>(List.of("pii.email"));
        AuditRecord record = builder().compliance(0.5, flags).build();

        flags.add("pii.phone");

        assertEquals(List.of("pii.email"), record.complianceFlags());
    }

    @Test
    void outOfRangeValuesAreRejectedNamingTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder().status(42).build()).getMessage()
                .contains("status"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder().costMicros(-1).build())
                .getMessage().contains("costMicros"));
        assertThrows(IllegalArgumentException.class, () -> builder().compliance(Double.NaN, List.of()).build());
        assertThrows(IllegalArgumentException.class,
                () -> AuditRecord.builder(" ", NOW, "/r", "openai", "m").build());
    }

    @Test
    void queriesCheckTheirLimitAndTruncateSince() {
        assertThrows(IllegalArgumentException.class, () -> AuditQuery.latest(0));
        assertThrows(IllegalArgumentException.class, () -> AuditQuery.latest(AuditQuery.MAX_LIMIT + 1));
        assertEquals(Optional.of(Instant.parse("2026-11-01T10:00:00.123456Z")),
                AuditQuery.latest(1).since(NOW).since());
    }

    @Test
    void aSummaryAddsUpTheCostOfEveryProvider() {
        AuditSummary summary = new AuditSummary(3, 1, 1, Map.of("openai", 10L, "anthropic", 5L));

        assertEquals(15, summary.costMicros());
        assertThrows(IllegalArgumentException.class, () -> new AuditSummary(1, 2, 0, Map.of()));
    }
}
