package dev.smartflow.core.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A file of a vector store: a document cut into chunks, each embedded. A file is written {@link Status#IN_PROGRESS}
 * before its first chunk is embedded, gains chunks batch by batch ({@code chunksEmbedded} of {@code chunkCount}), and
 * becomes searchable all at once when it is {@link Status#COMPLETED}; a file that could not be embedded is
 * {@link Status#FAILED}, keeps no chunks and says why in {@code lastError}.
 *
 * @param id             {@code vf_} and hex digits, unique
 * @param storeId        the store it belongs to
 * @param filename       the caller's name for it; empty when none
 * @param metadata       the caller's key-value pairs
 * @param bytes          the size of its text in UTF-8
 * @param chunkCount     how many chunks it was cut into
 * @param chunksEmbedded how many of them are embedded and stored (all of them once completed)
 * @param status         where its ingest stands
 * @param lastError      why it failed; empty unless failed
 * @param createdAt      when it was added, kept to the microsecond (as is {@code updatedAt})
 * @param updatedAt      when its ingest last moved on (a batch stored, completed, failed)
 */
public record VectorFile(String id, String storeId, String filename, Map<String, String> metadata, long bytes,
                         int chunkCount, int chunksEmbedded, Status status, Optional<String> lastError,
                         Instant createdAt, Instant updatedAt) {
    public VectorFile {
        StorableText.require(id, "id");
        StorableText.require(storeId, "storeId");
        StorableText.require(filename, "filename");
        metadata = StorableText.map(metadata, "metadata");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(lastError, "lastError");
        lastError.ifPresent(error -> StorableText.require(error, "lastError"));
        createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MICROS);
        updatedAt = Objects.requireNonNull(updatedAt, "updatedAt").truncatedTo(ChronoUnit.MICROS);
        if (bytes < 0 || chunkCount < 0 || chunksEmbedded < 0 || chunksEmbedded > chunkCount) {
            throw new IllegalArgumentException("bytes and chunk counts are never negative, and at most chunkCount "
                    + "chunks are embedded");
        }
    }

    /** A file about to be ingested: in progress, nothing embedded yet. */
    public static VectorFile started(String id, String storeId, String filename, Map<String, String> metadata,
                                     long bytes, int chunkCount, Instant now) {
        return new VectorFile(id, storeId, filename, metadata, bytes, chunkCount, 0, Status.IN_PROGRESS,
                Optional.empty(), now, now);
    }

    /** Where a file's ingest stands. */
    public enum Status {
        IN_PROGRESS, COMPLETED, FAILED;

        /** The name the API and the database use: {@code in_progress}, {@code completed}, {@code failed}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The status named {@code id}.
         *
         * @throws IllegalArgumentException for any other name
         */
        public static Status of(String id) {
            for (Status status : values()) {
                if (status.id().equals(id)) {
                    return status;
                }
            }
            throw new IllegalArgumentException("unknown file status: " + id);
        }
    }
}
