package dev.smartflow.cache.rag;

import java.util.Map;
import java.util.Objects;

/**
 * A text to add to a vector store, and how to cut it into chunks; checked against the limits when it is added
 * ({@link VectorStores#addFile}).
 *
 * <pre>{@code
 * Document guide = Document.of(Files.readString(path)).withFilename("guide.md").withChunking(800, 100);
 * }</pre>
 *
 * @param content      the text, not blank
 * @param filename     a name for people; empty for none
 * @param metadata     the caller's key-value pairs, kept with the file
 * @param chunkSize    characters per chunk at most ({@value #DEFAULT_CHUNK_SIZE} by default)
 * @param chunkOverlap characters each chunk repeats of the previous one, at most half a chunk
 *                     ({@value #DEFAULT_CHUNK_OVERLAP} by default)
 */
public record Document(String content, String filename, Map<String, String> metadata, int chunkSize,
                       int chunkOverlap) {
    public static final int DEFAULT_CHUNK_SIZE = 512;
    public static final int DEFAULT_CHUNK_OVERLAP = 64;

    public Document {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(filename, "filename");
        metadata = Map.copyOf(metadata);
    }

    /** {@code content} without a name or metadata, cut with the default chunk size and overlap. */
    public static Document of(String content) {
        return new Document(content, "", Map.of(), DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_OVERLAP);
    }

    public Document withFilename(String newFilename) {
        return new Document(content, newFilename, metadata, chunkSize, chunkOverlap);
    }

    public Document withMetadata(Map<String, String> newMetadata) {
        return new Document(content, filename, newMetadata, chunkSize, chunkOverlap);
    }

    public Document withChunking(int newChunkSize, int newChunkOverlap) {
        return new Document(content, filename, metadata, newChunkSize, newChunkOverlap);
    }

    /** The size and names only: the content may be anybody's. */
    @Override
    public String toString() {
        return "Document[" + content.length() + " chars, filename=" + filename + ", chunkSize=" + chunkSize
                + ", chunkOverlap=" + chunkOverlap + "]";
    }
}
