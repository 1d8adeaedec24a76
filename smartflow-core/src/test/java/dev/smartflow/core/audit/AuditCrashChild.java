package dev.smartflow.core.audit;

import dev.smartflow.core.spi.AuditAnalytics;
import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.AuditSummary;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The process {@link AuditWriterKillTest} kills: audits {@code count} records into a writer on the spool directory
 * whose store never answers, printing each record's number once {@link AuditWriter#onRecord} returned for it (the
 * point at which a server would complete the call's answer), then waits to be killed.
 */
final class AuditCrashChild {
    private AuditCrashChild() {
    }

    static AuditRecord record(int i) {
        return AuditRecord.builder("kill-" + i, Instant.parse("2026-11-23T10:00:00Z").plusMillis(i),
                "/v1/chat/completions", "openai", "gpt-4o").userId("user-" + i).costMicros(i).build();
    }

    public static void main(String[] args) throws InterruptedException {
        Path spool = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        AuditWriter writer = AuditWriter.builder(new SilentLog()).spoolDirectory(spool).build();
        for (int i = 0; i < count; i++) {
            writer.onRecord(record(i));
            System.out.println(i);
            System.out.flush();
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    /** A store that takes every call and never answers. */
    private static final class SilentLog implements AuditLog {
        @Override
        public int append(List<AuditRecord> records) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("interrupted");
        }

        @Override
        public List<AuditRecord> query(AuditQuery query) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AuditSummary summary(Instant from, Instant to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AuditAnalytics analytics(Instant from, Instant to, int top) {
            throw new UnsupportedOperationException();
        }
    }
}
