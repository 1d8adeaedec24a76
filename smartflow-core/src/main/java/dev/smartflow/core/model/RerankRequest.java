package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import java.util.List;
import java.util.Objects;

/**
 * A rerank request in Cohere's shape ({@code POST /v1/rerank}): a query and the documents to order by relevance.
 *
 * <pre>{@code
 * RerankResponse ranked = smartflow.rerank(RerankRequest.of("rerank-v3.5", "capital of France",
 *         List.of("Paris is in France.", "Berlin is in Germany.")).withTopN(1));
 * }</pre>
 */
public final class RerankRequest {
    private final Body body;

    private RerankRequest(Body body) {
        this.body = body;
    }

    public static RerankRequest of(String model, String query, List<String> documents) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(query, "query");
        if (documents.isEmpty()) {
            throw new IllegalArgumentException("at least one document is required");
        }
        ObjectNode json = Body.MAPPER.createObjectNode().put("model", model).put("query", query);
        ArrayNode array = json.putArray("documents");
        documents.forEach(array::add);
        return new RerankRequest(Body.of(json));
    }

    /** Takes a request body exactly as a caller wrote it. */
    public static RerankRequest fromJson(String json) {
        return new RerankRequest(Body.json(json));
    }

    /** This request asking for the {@code n} most relevant documents only. */
    public RerankRequest withTopN(int n) {
        return new RerankRequest(body.edit(o -> o.put("top_n", n)));
    }

    public Body body() {
        return body;
    }

    @Override
    public String toString() {
        return "RerankRequest[" + Requests.model(body) + "]";
    }
}
