package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Response;
import java.util.ArrayList;
import java.util.List;

/** An embeddings answer in OpenAI's shape. */
public record EmbeddingResponse(JsonNode json, Headers headers) {
    public static EmbeddingResponse from(Response.Complete response) {
        return new EmbeddingResponse(response.body().json(), response.headers());
    }

    /** The vectors in input order (float encoding; a base64 answer is read from {@link #json()}). */
    public List<float[]> vectors() {
        List<float[]> vectors = new ArrayList<>();
        for (JsonNode item : json.path("data")) {
            JsonNode embedding = item.path("embedding");
            float[] vector = new float[embedding.size()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = (float) embedding.get(i).asDouble();
            }
            vectors.add(vector);
        }
        return vectors;
    }

    public Usage usage() {
        return Usage.from(json.path("usage"));
    }
}
