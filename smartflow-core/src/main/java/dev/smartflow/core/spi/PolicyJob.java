package dev.smartflow.core.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A document being turned into suggested policies: what was uploaded, how far the work is, and how it ended. Its
 * suggestions are kept beside it ({@link PolicyJobStore#suggestions}).
 *
 * <pre>{@code
 * PolicyJob job = PolicyJob.pending(id, "handbook.pdf", "pdf", "gpt-4o", clock.instant());
 * job = job.progressed(40, 12, 5, 0, false, clock.instant());   // 12 pages read, 5 chunks to analyse
 * job = job.completed(clock.instant());
 * }</pre>
 *
 * @param id          the job's id; not blank
 * @param filename    the uploaded file's name; not blank
 * @param format      {@code pdf}, {@code docx} or {@code txt}
 * @param model       the model that analyses the document; not blank
 * @param status      where the job is
 * @param progressPct 0 to 100; 100 exactly when completed
 * @param error       why the job failed; present exactly when it did
 * @param pages       pages (or paragraphs, for a DOCX; lines of a text file) read so far
 * @param chunksTotal the parts the text was cut into for the model; 0 until the text is read
 * @param chunksDone  the parts analysed so far, 0 to {@code chunksTotal}
 * @param truncated   true when the document was longer than the job analyses, so only its beginning was
 * @param createdAt   when it was uploaded
 * @param updatedAt   when it last changed
 */
public record PolicyJob(String id, String filename, String format, String model, Status status, int progressPct,
                        Optional<String> error, int pages, int chunksTotal, int chunksDone, boolean truncated,
                        Instant createdAt, Instant updatedAt) {
    public PolicyJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(error, "error");
        if (id.isBlank() || filename.isBlank() || model.isBlank()) {
            throw new IllegalArgumentException("a job's id, filename and model are not blank");
        }
        if (progressPct < 0 || progressPct > 100) {
            throw new IllegalArgumentException("progressPct is 0 to 100, not " + progressPct);
        }
        if ((status == Status.COMPLETED) != (progressPct == 100)) {
            throw new IllegalArgumentException("a job is at 100% exactly when it is completed");
        }
        if ((status == Status.FAILED) != error.isPresent()) {
            throw new IllegalArgumentException("a job has an error exactly when it failed");
        }
        if (pages < 0 || chunksTotal < 0 || chunksDone < 0 || chunksDone > chunksTotal) {
            throw new IllegalArgumentException("pages and chunks are counts, chunksDone at most chunksTotal");
        }
        createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MICROS);
        updatedAt = Objects.requireNonNull(updatedAt, "updatedAt").truncatedTo(ChronoUnit.MICROS);
    }

    /** A job just uploaded, not started. */
    public static PolicyJob pending(String id, String filename, String format, String model, Instant at) {
        return new PolicyJob(id, filename, format, model, Status.PENDING, 0, Optional.empty(), 0, 0, 0, false, at, at);
    }

    /** This job under way, at {@code progressPct}. */
    public PolicyJob progressed(int progressPct, int pages, int chunksTotal, int chunksDone, boolean truncated,
                                Instant at) {
        return new PolicyJob(id, filename, format, model, Status.PROCESSING, progressPct, Optional.empty(), pages,
                chunksTotal, chunksDone, truncated, createdAt, at);
    }

    /** This job, finished. */
    public PolicyJob completed(Instant at) {
        return new PolicyJob(id, filename, format, model, Status.COMPLETED, 100, Optional.empty(), pages, chunksTotal,
                chunksTotal, truncated, createdAt, at);
    }

    /** This job, failed for {@code reason} (meant for the operator: no document text, keys or URLs). */
    public PolicyJob failed(String reason, Instant at) {
        return new PolicyJob(id, filename, format, model, Status.FAILED, progressPct, Optional.of(reason), pages,
                chunksTotal, chunksDone, truncated, createdAt, at);
    }

    /** True once the job has completed or failed. */
    public boolean finished() {
        return status == Status.COMPLETED || status == Status.FAILED;
    }

    /** Where a job is. */
    public enum Status {
        PENDING, PROCESSING, COMPLETED, FAILED;

        /** The name in the API: {@code pending}, {@code processing}, {@code completed}, {@code failed}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
