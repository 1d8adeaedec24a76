package dev.smartflow.cache.metacache;

/**
 * The cache's figures across every instance sharing its state, as {@code GET /api/cache/stats} answers them.
 *
 * @param hits            calls the cache answered
 * @param misses          cacheable calls it did not answer (they went to a provider)
 * @param l1Hits          hits from this or another instance's memory
 * @param l2Hits          hits by meaning
 * @param l3Hits          exact hits from shared state
 * @param tokensSaved     prompt plus completion tokens of the answers served from the cache
 * @param costSavedMicros what those answers cost when they were first made, priced from the catalog, in micro-USD
 * @param entries         live entries
 */
public record CacheStats(long hits, long misses, long l1Hits, long l2Hits, long l3Hits, long tokensSaved,
                         long costSavedMicros, long entries) {
    /** Hits over cacheable calls; 0 before the first. */
    public double hitRate() {
        long total = totalRequests();
        return total == 0 ? 0 : (double) hits / total;
    }

    public long totalRequests() {
        return hits + misses;
    }
}
