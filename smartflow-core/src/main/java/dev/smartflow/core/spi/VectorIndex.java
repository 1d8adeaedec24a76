package dev.smartflow.core.spi;

import java.util.List;
import java.util.Map;

/**
 * Cosine top-k over unit-length vectors, kept per <em>namespace</em>: the semantic cache, each vector store and the
 * MCP tool catalog keep their vectors here. A namespace is the unit of isolation: callers put the tenant into it
 * (e.g. {@code cache:org-a:default}, {@code vs:vs_abc}), so a search can never return another tenant's entry.
 *
 * <pre>{@code
 * index.put("vs:vs_abc", "vf_1#0", vector, Map.of("file_id", "vf_1"));
 * for (VectorIndex.Match match : index.search("vs:vs_abc", query, 5, 0.7)) {
 *     System.out.println(match.id() + " " + match.score());
 * }
 * }</pre>
 *
 * <p><b>Contract.</b> Thread-safe. Vectors are unit length and of one dimension per namespace ({@link
 * IllegalArgumentException} otherwise); scores are cosine similarities (dot products) in [-1, 1]. {@link #put}
 * replaces an entry of the same id. A search sees every put that returned before it started. Results are ordered by
 * score, best first, ties by id; only those with a score of at least {@code minScore} and matching every
 * {@code filter} tag are returned.
 */
public interface VectorIndex extends AutoCloseable {
    /** Adds or replaces the entry {@code id} of {@code namespace}. */
    void put(String namespace, String id, float[] vector, Map<String, String> tags);

    /** Removes one entry; true when it existed. */
    boolean remove(String namespace, String id);

    /** Removes every entry of {@code namespace}; how many there were. */
    int clear(String namespace);

    /** The number of entries of {@code namespace}. */
    int size(String namespace);

    /** The best {@code k} entries of {@code namespace} scoring at least {@code minScore}. */
    default List<Match> search(String namespace, float[] query, int k, double minScore) {
        return search(namespace, query, k, minScore, Map.of());
    }

    /** As {@link #search(String, float[], int, double)}, only entries whose tags include every {@code filter} pair. */
    List<Match> search(String namespace, float[] query, int k, double minScore, Map<String, String> filter);

    @Override
    default void close() {
    }

    /** One result: the entry's id, its cosine similarity to the query and its tags. */
    record Match(String id, double score, Map<String, String> tags) {
        public Match {
            tags = Map.copyOf(tags);
        }
    }
}
