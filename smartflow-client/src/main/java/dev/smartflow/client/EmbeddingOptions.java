package dev.smartflow.client;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How to embed: the model (default {@code text-embedding-3-small}), {@code encoding_format} ({@code float} or
 * {@code base64}; either way the answer's vectors are floats), {@code dimensions} and Cohere's {@code input_type}.
 *
 * <pre>{@code
 * EmbeddingOptions.defaults().withModel("cohere/embed-english-v3.0").withInputType("search_document")
 * }</pre>
 */
public record EmbeddingOptions(String model, String encodingFormat, OptionalInt dimensions,
                               Optional<String> inputType) {
    public EmbeddingOptions {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(encodingFormat, "encodingFormat");
        Objects.requireNonNull(dimensions, "dimensions");
        Objects.requireNonNull(inputType, "inputType");
    }

    public static EmbeddingOptions defaults() {
        return new EmbeddingOptions("text-embedding-3-small", "float", OptionalInt.empty(), Optional.empty());
    }

    public EmbeddingOptions withModel(String value) {
        return new EmbeddingOptions(value, encodingFormat, dimensions, inputType);
    }

    public EmbeddingOptions withEncodingFormat(String value) {
        return new EmbeddingOptions(model, value, dimensions, inputType);
    }

    public EmbeddingOptions withDimensions(int value) {
        return new EmbeddingOptions(model, encodingFormat, OptionalInt.of(value), inputType);
    }

    public EmbeddingOptions withInputType(String value) {
        return new EmbeddingOptions(model, encodingFormat, dimensions, Optional.of(value));
    }
}
