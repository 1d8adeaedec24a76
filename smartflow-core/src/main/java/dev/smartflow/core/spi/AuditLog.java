package dev.smartflow.core.spi;

import java.time.Instant;
import java.util.List;

/**
 * The durable log of served requests (one {@link AuditRecord} each), written in batches by the audit writer and read
 * by the management API and analytics. Obtained from {@link Database#audit()}.
 *
 * <pre>{@code
 * int written = audit.append(batch);                      // safe to retry: records already there are skipped
 * List<AuditRecord> latest = audit.query(AuditQuery.latest(100).withKey(keyId));
 * AuditSummary today = audit.summary(dayStart, dayStart.plus(Duration.ofDays(1)));
 * AuditAnalytics week = audit.analytics(now.minus(Duration.ofDays(7)), now, 10);
 * }</pre>
 *
 * <p><b>Contract.</b> Thread-safe. {@link #append} is atomic per batch and idempotent on
 * {@link AuditRecord#requestId()}: a record whose request id is already in the log (or earlier in the same batch)
 * is skipped, never duplicated and never overwritten, so a writer may retry a batch whose outcome it did not learn.
 * Queries return records newest first ({@link AuditRecord#timestamp()} descending, then request id descending).
 * Calls block until the store answers; run them on virtual threads. Nothing accepts or returns {@code null}. A
 * failure of the backing store surfaces as the implementation's unchecked exception; after {@link Database#close()}
 * every call fails with {@link IllegalStateException}.
 *
 * <p>Every implementation holds every value an {@link AuditRecord} can carry (its text is made storable alike for all,
 * see the record), and reads it back equal. A batch the store still refuses for what a record holds (a constraint an
 * operator added, a value beyond the store's limits) fails with {@link RejectedRecordException}, so that the writer can
 * set that record aside instead of retrying the batch for ever; an outage fails with any other exception.
 */
public interface AuditLog {
    /**
     * Appends a batch, skipping records whose request id is already logged; how many records were added.
     *
     * @throws RejectedRecordException when the store refuses a record of the batch for what it holds; nothing of the
     *                                 batch is appended
     */
    int append(List<AuditRecord> records);

    /** The newest records that match the query, at most {@link AuditQuery#limit()} of them. */
    List<AuditRecord> query(AuditQuery query);

    /**
     * Counts and costs of the records with {@code from <= timestamp < to}, both bounds truncated to the microsecond
     * as record timestamps are.
     *
     * @throws IllegalArgumentException when {@code to} is before {@code from}
     */
    AuditSummary summary(Instant from, Instant to);

    /**
     * The analytics of the records with {@code from <= timestamp < to} (bounds truncated as for {@link #summary}):
     * volume, errors, cache hits, tokens and cost by provider, model, key, user and day, and latency percentiles, with
     * the top lists cut to {@code top} entries. The SQL store answers with aggregate queries over the timestamp index;
     * meant for the management API and dashboards, never the request path. Every implementation returns the same
     * figures for the same records, as {@link AuditAnalytics} defines them.
     *
     * @throws IllegalArgumentException when {@code to} is before {@code from}, or {@code top} is not within
     *                                  1..{@value AuditAnalytics#MAX_TOP}
     */
    AuditAnalytics analytics(Instant from, Instant to, int top);
}
