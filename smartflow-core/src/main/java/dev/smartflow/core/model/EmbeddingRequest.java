package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import java.util.List;
import java.util.Objects;

/** An embeddings request in OpenAI's shape. */
public final class EmbeddingRequest {
    private final Body body;

    private EmbeddingRequest(Body body) {
        this.body = body;
    }

    public static EmbeddingRequest of(String model, List<String> inputs) {
        Objects.requireNonNull(model, "model");
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("at least one input is required");
        }
        ObjectNode json = Body.MAPPER.createObjectNode().put("model", model);
        ArrayNode input = json.putArray("input");
        inputs.forEach(input::add);
        return new EmbeddingRequest(Body.of(json));
    }

    public static EmbeddingRequest fromJson(String json) {
        return new EmbeddingRequest(Body.json(json));
    }

    public Body body() {
        return body;
    }

    @Override
    public String toString() {
        return "EmbeddingRequest[" + Requests.model(body) + "]";
    }
}
