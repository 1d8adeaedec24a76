package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The MetaCache's figures (the SDK guide's {@code CacheStats}, {@code GET /api/cache/stats}).
 *
 * @param hitRate       hits per lookup, 0..1
 * @param hits          lookups answered from the cache
 * @param misses        lookups that went to a provider
 * @param l1Hits        hits in memory
 * @param l2Hits        semantic hits
 * @param l3Hits        exact hits in the shared store
 * @param tokensSaved   tokens the hits did not spend
 * @param costSavedUsd  what the hits did not spend, in USD ({@code cost_saved_usd}, else {@code cost_saved_cents})
 * @param entries       entries stored
 * @param totalRequests lookups in all
 * @param json          the whole answer
 */
public record CacheStats(double hitRate, long hits, long misses, long l1Hits, long l2Hits, long l3Hits,
                         long tokensSaved, BigDecimal costSavedUsd, long entries, long totalRequests, JsonNode json) {
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    public CacheStats {
        Objects.requireNonNull(costSavedUsd, "costSavedUsd");
        Objects.requireNonNull(json, "json");
    }

    /** What the hits saved, in US cents (the guide's {@code cost_saved_cents}). */
    public BigDecimal costSavedCents() {
        return costSavedUsd.multiply(HUNDRED);
    }

    static CacheStats from(JsonNode body) {
        JsonNode stats = body.path("stats").isObject() ? body.path("stats") : body;
        BigDecimal usd = stats.has("cost_saved_usd") ? Json.money(stats, "cost_saved_usd")
                : Json.money(stats, "cost_saved_cents").divide(HUNDRED);
        long hits = Json.number(stats, "hits");
        long misses = Json.number(stats, "misses");
        long total = stats.has("total_requests") ? Json.number(stats, "total_requests") : hits + misses;
        return new CacheStats(Json.decimal(stats, "hit_rate"), hits, misses, Json.number(stats, "l1_hits"),
                Json.number(stats, "l2_hits"), Json.number(stats, "l3_hits"), Json.number(stats, "tokens_saved"),
                usd, Json.number(stats, "entries"), total, body);
    }
}
