package dev.smartflow.client;

import java.util.Map;
import java.util.Objects;

/**
 * A document for RAG ingestion: its text, the store it goes to, a file name, chunking (default 512 characters with 64
 * of overlap) and metadata.
 */
public record RagDocument(String content, String vectorStoreId, String filename, int chunkSize, int chunkOverlap,
                          Map<String, Object> metadata) {
    public RagDocument {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(vectorStoreId, "vectorStoreId");
        Objects.requireNonNull(filename, "filename");
        if (chunkSize < 1 || chunkOverlap < 0 || chunkOverlap >= chunkSize) {
            throw new IllegalArgumentException("chunking needs 0 <= overlap < size, not size " + chunkSize
                    + " overlap " + chunkOverlap);
        }
        metadata = Map.copyOf(metadata);
    }

    public static RagDocument of(String content, String vectorStoreId) {
        return new RagDocument(content, vectorStoreId, "", 512, 64, Map.of());
    }

    public RagDocument withFilename(String value) {
        return new RagDocument(content, vectorStoreId, value, chunkSize, chunkOverlap, metadata);
    }

    public RagDocument withChunking(int size, int overlap) {
        return new RagDocument(content, vectorStoreId, filename, size, overlap, metadata);
    }

    public RagDocument withMetadata(Map<String, Object> value) {
        return new RagDocument(content, vectorStoreId, filename, chunkSize, chunkOverlap, value);
    }
}
