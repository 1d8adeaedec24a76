package dev.smartflow.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.KeyId;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpoolFormatTest {
    private static final Instant AT = Instant.parse("2026-11-23T10:00:00.123456Z");

    @Test
    void aRecordWithEveryFieldSurvivesTheRoundTrip() {
        // given
        AuditRecord record = AuditRecord.builder("req-1", AT, "/v1/chat/completions", "anthropic", "claude-x")
                .keyId(KeyId.of("key_1")).userId("alice").orgId("acme").teamId("search")
                .tokens(120, 48).costMicros(1_830).cacheHit("semantic")
                .compliance(0.25, List.of("pii.email", "pii.phone"))
                .latencyMicros(412_000).failed(502, "upstream_error").traceId("run-42").build();

        // when
        String line = SpoolFormat.encode(record);

        // then
        assertFalse(line.contains("\n"));
        assertEquals(record, SpoolFormat.decode(line));
    }

    @Test
    void aMinimalRecordSurvivesTheRoundTrip() {
        AuditRecord record = AuditRecord.builder("req-2", AT, "/v1/embeddings", "none", "none").build();

        assertEquals(record, SpoolFormat.decode(SpoolFormat.encode(record)));
    }

    @Test
    void aTornOrForeignLineIsRefused() {
        String line = SpoolFormat.encode(AuditRecord.builder("req-3", AT, "/v1/models", "none", "none").build());

        assertThrows(IllegalArgumentException.class, () -> SpoolFormat.decode(line.substring(0, line.length() / 2)));
        assertThrows(IllegalArgumentException.class, () -> SpoolFormat.decode(line.replace("\"v\":1", "\"v\":9")));
        assertThrows(IllegalArgumentException.class, () -> SpoolFormat.decode("[1,2]"));
        assertThrows(IllegalArgumentException.class,
                () -> SpoolFormat.decode(line.replace("\"status\":200", "\"status\":700")));
    }
}
