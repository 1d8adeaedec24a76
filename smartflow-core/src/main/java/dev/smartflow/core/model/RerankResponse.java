package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Response;
import java.util.ArrayList;
import java.util.List;

/** A rerank answer in Cohere's shape, with the {@code x-smartflow-*} headers of the call. */
public record RerankResponse(JsonNode json, Headers headers) {
    /** One document's place: its index in the request and its relevance score. */
    public record Ranked(int index, double relevanceScore) {
    }

    public static RerankResponse from(Response.Complete response) {
        return new RerankResponse(response.body().json(), response.headers());
    }

    /** The documents, most relevant first, as the provider ranked them. */
    public List<Ranked> results() {
        List<Ranked> out = new ArrayList<>();
        for (JsonNode result : json.path("results")) {
            out.add(new Ranked(result.path("index").asInt(), result.path("relevance_score").asDouble()));
        }
        return List.copyOf(out);
    }
}
