package dev.smartflow.client;

import java.util.Objects;

/**
 * A RAG query: the question, the store to search, how many chunks at most (default 5), the lowest similarity kept
 * (default 0, all) and whether to build the context string (default true).
 */
public record RagQuery(String query, String vectorStoreId, int maxResults, double scoreThreshold,
                       boolean includeContext) {
    public RagQuery {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(vectorStoreId, "vectorStoreId");
        if (maxResults < 1) {
            throw new IllegalArgumentException("maxResults must be positive, not " + maxResults);
        }
    }

    public static RagQuery of(String query, String vectorStoreId) {
        return new RagQuery(query, vectorStoreId, 5, 0.0, true);
    }

    public RagQuery withMaxResults(int value) {
        return new RagQuery(query, vectorStoreId, value, scoreThreshold, includeContext);
    }

    public RagQuery withScoreThreshold(double value) {
        return new RagQuery(query, vectorStoreId, maxResults, value, includeContext);
    }

    public RagQuery withIncludeContext(boolean value) {
        return new RagQuery(query, vectorStoreId, maxResults, scoreThreshold, value);
    }
}
