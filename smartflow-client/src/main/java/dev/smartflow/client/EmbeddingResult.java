package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Embeddings, one vector per input in input order. Vectors sent as base64 ({@code encoding_format: base64}) are
 * decoded to floats. The arrays are the caller's to keep; the record does not copy them.
 */
public record EmbeddingResult(String model, List<float[]> vectors, Usage usage, JsonNode json) {
    public EmbeddingResult {
        Objects.requireNonNull(model, "model");
        vectors = List.copyOf(vectors);
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(json, "json");
    }

    public float[] vector(int index) {
        return vectors.get(index);
    }

    static EmbeddingResult from(JsonNode body) {
        List<JsonNode> data = new ArrayList<>(Json.nodes(body, "data"));
        data.sort((a, b) -> Long.compare(Json.number(a, "index"), Json.number(b, "index")));
        List<float[]> vectors = new ArrayList<>();
        for (JsonNode item : data) {
            JsonNode embedding = item.path("embedding");
            if (embedding.isTextual()) {
                ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(embedding.asText()))
                        .order(ByteOrder.LITTLE_ENDIAN);
                float[] vector = new float[bytes.remaining() / Float.BYTES];
                bytes.asFloatBuffer().get(vector);
                vectors.add(vector);
            } else {
                float[] vector = new float[embedding.size()];
                for (int i = 0; i < vector.length; i++) {
                    vector[i] = (float) embedding.get(i).asDouble();
                }
                vectors.add(vector);
            }
        }
        return new EmbeddingResult(Json.text(body, "model"), vectors, Usage.from(body.path("usage")), body);
    }
}
