package dev.smartflow.core.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;

/**
 * A vector store's durable record: a named collection of files, chunked and embedded, that one tenant searches.
 *
 * @param id             {@code vs_} and hex digits, unique
 * @param tenant         whose store it is ({@link dev.smartflow.core.exchange.Principal#tenant()}); nobody else sees it
 * @param name           the caller's name for it
 * @param description    the caller's description; empty when none
 * @param metadata       the caller's key-value pairs
 * @param embeddingModel the {@link Embedder#model()} every vector of the store was made by
 * @param fileCount      how many files the store holds, whatever their status
 * @param version        counts the changes to what a search can find (files completed or deleted), so that an
 *                       in-memory index can tell whether it is in step with the database
 * @param createdAt      when it was created, kept to the microsecond
 */
public record VectorStore(String id, String tenant, String name, String description, Map<String, String> metadata,
                          String embeddingModel, int fileCount, long version, Instant createdAt) {
    public VectorStore {
        StorableText.require(id, "id");
        StorableText.require(tenant, "tenant");
        StorableText.require(name, "name");
        StorableText.require(description, "description");
        StorableText.require(embeddingModel, "embeddingModel");
        metadata = StorableText.map(metadata, "metadata");
        createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MICROS);
        if (fileCount < 0 || version < 0) {
            throw new IllegalArgumentException("fileCount and version are never negative");
        }
    }

    /** A new, empty store. */
    public static VectorStore create(String id, String tenant, String name, String description,
                                     Map<String, String> metadata, String embeddingModel, Instant createdAt) {
        return new VectorStore(id, tenant, name, description, metadata, embeddingModel, 0, 0, createdAt);
    }
}
