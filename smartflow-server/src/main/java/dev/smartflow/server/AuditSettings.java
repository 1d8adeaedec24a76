package dev.smartflow.server;

import dev.smartflow.core.audit.AuditWriter;
import java.time.Duration;
import java.util.Objects;

/**
 * How the server's {@link AuditWriter} batches audit records (YAML section {@code audit}, or
 * {@code SMARTFLOW_AUDIT_*} variables). Every record is journaled in {@code <data dir>/audit-spool} as it arrives (so
 * a killed gateway loses none); records beyond {@code maxPending} and those still unwritten at shutdown wait there, and
 * records the database refuses are quarantined there ({@code quarantine.jsonl}).
 *
 * @param batchSize     records per append at most ({@code batch_size}, {@code SMARTFLOW_AUDIT_BATCH_SIZE}; 500)
 * @param flushInterval how long a record waits for a full batch at most ({@code flush_interval},
 *                      {@code SMARTFLOW_AUDIT_FLUSH_INTERVAL}; 200ms)
 * @param maxPending    records waiting in memory at most before the oldest go to disk ({@code max_pending},
 *                      {@code SMARTFLOW_AUDIT_MAX_PENDING}; 10000); at least {@code batchSize}
 * @param drainTimeout  how long shutdown keeps writing before it spills the rest to disk ({@code drain_timeout},
 *                      {@code SMARTFLOW_AUDIT_DRAIN_TIMEOUT}; 10s)
 * @param journal       whether every record is journaled as it arrives ({@code journal}, {@code SMARTFLOW_AUDIT_JOURNAL};
 *                      true); off, a killed gateway loses the records not yet written, so it exists to measure what
 *                      the journal costs, not to run without it
 */
public record AuditSettings(int batchSize, Duration flushInterval, int maxPending, Duration drainTimeout,
                            boolean journal) {
    public static final AuditSettings DEFAULTS = new AuditSettings(AuditWriter.DEFAULT_BATCH_SIZE,
            AuditWriter.DEFAULT_FLUSH_INTERVAL, AuditWriter.DEFAULT_MAX_PENDING, AuditWriter.DEFAULT_DRAIN_TIMEOUT,
            true);

    public AuditSettings {
        Objects.requireNonNull(flushInterval, "flushInterval");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        if (batchSize < 1) {
            throw new IllegalArgumentException("audit.batch_size must be positive, not " + batchSize);
        }
        if (flushInterval.isNegative() || flushInterval.isZero()) {
            throw new IllegalArgumentException("audit.flush_interval must be positive, not " + flushInterval);
        }
        if (maxPending < batchSize) {
            throw new IllegalArgumentException("audit.max_pending (" + maxPending + ") must be at least "
                    + "audit.batch_size (" + batchSize + ")");
        }
        if (drainTimeout.isNegative()) {
            throw new IllegalArgumentException("audit.drain_timeout must not be negative, not " + drainTimeout);
        }
    }

    /** A writer builder over these settings. */
    AuditWriter.Builder apply(AuditWriter.Builder builder) {
        return builder.batchSize(batchSize).flushInterval(flushInterval).maxPending(maxPending)
                .drainTimeout(drainTimeout).journal(journal);
    }
}
