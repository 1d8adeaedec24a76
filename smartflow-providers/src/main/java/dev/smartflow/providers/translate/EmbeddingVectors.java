package dev.smartflow.providers.translate;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * Embedding vectors in OpenAI's {@code encoding_format: base64}: the floats as little-endian float32, base64-encoded,
 * as the adapters that translate another protocol's embeddings answer them. Public only so that every protocol
 * package of this module can use it; not an API. Stateless and thread-safe.
 */
public final class EmbeddingVectors {
    private EmbeddingVectors() {
    }

    /** {@code values}, a JSON array of numbers, as OpenAI's base64 text; an empty string for anything else. */
    public static String base64(JsonNode values) {
        if (!values.isArray()) {
            return "";
        }
        ByteBuffer bytes = ByteBuffer.allocate(values.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        values.forEach(v -> bytes.putFloat(v.floatValue()));
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
