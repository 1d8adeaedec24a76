package dev.smartflow.cache.rag;

import java.util.Objects;

/**
 * One chunk a search found.
 *
 * @param fileId     the file it was cut from
 * @param filename   that file's name
 * @param chunkIndex its place in the file, from 0
 * @param content    its text
 * @param score      its cosine similarity to the query, -1 to 1
 */
public record SearchHit(String fileId, String filename, int chunkIndex, String content, double score) {
    public SearchHit {
        Objects.requireNonNull(fileId, "fileId");
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(content, "content");
    }

    /** Ids and score only: the content may be anybody's. */
    @Override
    public String toString() {
        return "SearchHit[" + fileId + "#" + chunkIndex + ", score=" + score + "]";
    }
}
