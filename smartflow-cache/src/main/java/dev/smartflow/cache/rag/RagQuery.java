package dev.smartflow.cache.rag;

import java.util.Objects;

/**
 * A question for {@link Rag#query}.
 *
 * @param vectorStoreId  the store to search
 * @param query          the question, not blank
 * @param maxResults     how many chunks at most, 1 to {@value VectorStores#MAX_RESULTS} ({@value #DEFAULT_MAX_RESULTS}
 *                       by default)
 * @param scoreThreshold the least cosine similarity a chunk has, 0 to 1; 0 (the default) sets no minimum
 * @param includeContext whether to join the chunks into a context string (by default yes)
 */
public record RagQuery(String vectorStoreId, String query, int maxResults, double scoreThreshold,
                       boolean includeContext) {
    public static final int DEFAULT_MAX_RESULTS = 5;

    public RagQuery {
        Objects.requireNonNull(vectorStoreId, "vectorStoreId");
        Objects.requireNonNull(query, "query");
    }

    /** The question with the defaults: 5 results, no minimum score, a context string. */
    public static RagQuery of(String vectorStoreId, String query) {
        return new RagQuery(vectorStoreId, query, DEFAULT_MAX_RESULTS, 0.0, true);
    }

    public RagQuery withMaxResults(int newMaxResults) {
        return new RagQuery(vectorStoreId, query, newMaxResults, scoreThreshold, includeContext);
    }

    public RagQuery withScoreThreshold(double newScoreThreshold) {
        return new RagQuery(vectorStoreId, query, maxResults, newScoreThreshold, includeContext);
    }

    public RagQuery withoutContext() {
        return new RagQuery(vectorStoreId, query, maxResults, scoreThreshold, false);
    }

    /** The store only: the question may be anybody's. */
    @Override
    public String toString() {
        return "RagQuery[" + vectorStoreId + ", maxResults=" + maxResults + "]";
    }
}
