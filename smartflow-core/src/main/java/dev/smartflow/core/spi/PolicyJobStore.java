package dev.smartflow.core.spi;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable document-to-policy jobs and their suggestions, so that a job outlives the process running it: each job
 * carries a lease (an owner and an expiry) that the instance working on it renews, and that another instance (or the
 * same one after a restart) takes over once it has run out.
 *
 * <pre>{@code
 * jobs.create(PolicyJob.pending(id, "handbook.pdf", "pdf", "gpt-4o", now));
 * if (jobs.lease(id, instanceId, now, now.plusSeconds(60))) {
 *     jobs.update(job.progressed(10, 3, 0, 0, false, now));
 * }
 * }</pre>
 *
 * <p><b>Contract.</b> Thread-safe; every call is atomic. A record read back equals the record stored. After the
 * database is closed every call fails with {@link IllegalStateException}.
 */
public interface PolicyJobStore {
    /** Stores a new job; false (and nothing stored) when its id is taken. */
    boolean create(PolicyJob job);

    /** Replaces the job of the same id (its lease is kept); false when there is none. */
    boolean update(PolicyJob job);

    Optional<PolicyJob> get(String id);

    /** Every job, newest first (by creation time, then id). */
    List<PolicyJob> list();

    /** The jobs not yet completed or failed, oldest first. */
    List<PolicyJob> unfinished();

    /**
     * Takes or renews the job's lease for {@code owner} until {@code until}: granted when the job has no lease, its
     * lease ran out before {@code now}, or {@code owner} already holds it. False when another owner holds a lease
     * that has not run out, or there is no such job.
     */
    boolean lease(String id, String owner, Instant now, Instant until);

    /** Gives the lease up, if {@code owner} holds it, so that the next taker need not wait for it to run out. */
    void release(String id, String owner);

    /** Removes the job and its suggestions; true when there was one. */
    boolean delete(String id);

    /** Stores a suggestion, replacing the one of the same job and id. */
    void putSuggestion(PolicySuggestion suggestion);

    /** The job's suggestions, by position then id. */
    List<PolicySuggestion> suggestions(String jobId);

    /**
     * Marks the suggestion accepted as {@code policyId}, unless it already was; false when it was, or there is no
     * such suggestion.
     */
    boolean accept(String jobId, String suggestionId, String policyId);
}
