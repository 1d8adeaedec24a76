package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** What a vector-store search found, best first. */
public record VectorSearchResult(List<SearchHit> results, long total) {
    public VectorSearchResult {
        results = List.copyOf(results);
    }

    static VectorSearchResult from(JsonNode body) {
        List<SearchHit> hits = Json.nodes(body, body.has("results") ? "results" : "data").stream()
                .map(SearchHit::from).toList();
        return new VectorSearchResult(hits, body.has("total") ? Json.number(body, "total") : hits.size());
    }
}
