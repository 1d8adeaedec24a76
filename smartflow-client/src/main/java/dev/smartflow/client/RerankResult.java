package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/** Documents by relevance, most relevant first: each the index of a document sent, with its score. */
public record RerankResult(List<Hit> results, JsonNode json) {
    public RerankResult {
        results = List.copyOf(results);
        Objects.requireNonNull(json, "json");
    }

    /** One ranked document. */
    public record Hit(int index, double relevanceScore) {
    }

    static RerankResult from(JsonNode body) {
        return new RerankResult(Json.nodes(body, "results").stream()
                .map(hit -> new Hit((int) Json.number(hit, "index"), Json.decimal(hit, "relevance_score")))
                .toList(), body);
    }
}
