package dev.smartflow.cache.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.Embedder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An {@link Embedder} that calls a provider's embeddings API ({@code text-embedding-3-small}, a Cohere, Gemini or
 * Mistral embedding model: any model the pipeline routes) through the pipeline, in-process, so the call is routed,
 * retried, priced and audited like any other. It runs as the embedded principal {@value #APPLICATION}; the pipeline's
 * authentication stage lets an exchange that arrives authenticated pass.
 *
 * <pre>{@code
 * Embedder embedder = PipelineEmbedder.builder(() -> smartflow).model("text-embedding-3-small").build();
 * float[] vector = embedder.embed("How do I reset my password?");
 * }</pre>
 *
 * <p><b>Contract.</b> Thread-safe. Concurrent calls are grouped: the texts waiting while requests are under way go
 * into the next request as OpenAI's {@code input} array, up to {@code batch} texts; up to {@code concurrency}
 * requests run at once. Vectors are L2-normalised here (providers do not all normalise); a provider answering vectors
 * of another length than {@link #dimensions()} fails the call with {@link IllegalStateException}. The pipeline's
 * errors (a provider down, a missing key) reach the caller as the pipeline threw them.
 */
public final class PipelineEmbedder implements Embedder {
    /** The embedded application the calls run as (principal kind EMBEDDED). */
    public static final String APPLICATION = "smartflow-cache";
    private static final Principal PRINCIPAL = Principal.embedded(APPLICATION);
    /** The vector lengths of models whose length is not configured. */
    private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
            "text-embedding-3-small", 1536,
            "text-embedding-3-large", 3072,
            "text-embedding-ada-002", 1536);

    private final Supplier<Smartflow> smartflow;
    private final String model;
    private final int dimensions;
    private final boolean askDimensions;
    private final MicroBatcher<String, float[]> batcher;

    private PipelineEmbedder(Builder builder, int dimensions) {
        this.smartflow = builder.smartflow;
        this.model = builder.model;
        this.dimensions = dimensions;
        this.askDimensions = builder.dimensions.isPresent();
        this.batcher = new MicroBatcher<>("smartflow-embedder-" + model, builder.batch, builder.concurrency,
                this::request);
    }

    /** An embedder calling through the pipeline {@code smartflow} supplies (read at each call). */
    public static Builder builder(Supplier<Smartflow> smartflow) {
        return new Builder(smartflow);
    }

    /** The model and vector length, e.g. {@code text-embedding-3-small:1536}. */
    @Override
    public String model() {
        return model + ":" + dimensions;
    }

    @Override
    public int dimensions() {
        return dimensions;
    }

    @Override
    public float[] embed(String text) {
        return MicroBatcher.await(batcher.submit(Objects.requireNonNull(text, "text"))).clone();
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        texts.forEach(text -> Objects.requireNonNull(text, "a text is null"));
        List<float[]> vectors = new ArrayList<>(texts.size());
        batcher.runAll(texts).forEach(vector -> vectors.add(vector.clone()));
        return vectors;
    }

    @Override
    public void close() {
        batcher.close();
    }

    /** How many texts wait for a request, for tests. */
    int waiting() {
        return batcher.waiting();
    }

    /** One embeddings request for a group of distinct texts. */
    private List<float[]> request(List<String> texts) {
        ObjectNode json = Body.MAPPER.createObjectNode().put("model", model).put("encoding_format", "float");
        ArrayNode input = json.putArray("input");
        texts.forEach(input::add);
        if (askDimensions) {
            json.put("dimensions", dimensions);
        }
        Exchange exchange = Exchange.of(Operation.EMBEDDINGS, Body.of(json), Headers.EMPTY).withPrincipal(PRINCIPAL);
        Response response = smartflow.get().execute(exchange);
        if (!(response instanceof Response.Complete complete)) {
            ((Response.Streamed) response).chunks().close();
            throw new IllegalStateException("the embeddings call answered with a stream");
        }
        if (complete.status() != 200) {
            throw new IllegalStateException("the embeddings call answered " + complete.status());
        }
        return vectors(complete.body().json(), texts.size());
    }

    private List<float[]> vectors(JsonNode answer, int count) {
        float[][] vectors = new float[count][];
        JsonNode data = answer.path("data");
        for (int i = 0; i < data.size(); i++) {
            JsonNode item = data.get(i);
            int index = item.path("index").asInt(i);
            if (index < 0 || index >= count || vectors[index] != null) {
                throw new IllegalStateException("the embeddings answer has a bad or repeated index " + index);
            }
            vectors[index] = normalised(item.path("embedding"));
        }
        if (data.size() != count) {
            throw new IllegalStateException("the embeddings answer has " + data.size() + " vectors for " + count
                    + " inputs");
        }
        return Arrays.asList(vectors);
    }

    private float[] normalised(JsonNode embedding) {
        if (!embedding.isArray()) {
            throw new IllegalStateException("the embeddings answer holds no float vector (base64 is not asked for)");
        }
        if (embedding.size() != dimensions) {
            throw new IllegalStateException("the provider answered vectors of " + embedding.size()
                    + " dimensions; " + model + " is configured for " + dimensions);
        }
        float[] vector = new float[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            vector[i] = (float) embedding.get(i).asDouble();
            norm += (double) vector[i] * vector[i];
        }
        if (!(norm > 0) || Double.isInfinite(norm)) {
            throw new IllegalStateException("the provider answered a vector that cannot be normalised");
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dimensions; i++) {
            vector[i] *= scale;
        }
        return vector;
    }

    /** Configures a {@link PipelineEmbedder}. */
    public static final class Builder {
        private final Supplier<Smartflow> smartflow;
        private String model = EmbedderSettings.DEFAULT_PROVIDER_MODEL;
        private Optional<Integer> dimensions = Optional.empty();
        private int batch = 32;
        private int concurrency = 4;

        private Builder(Supplier<Smartflow> smartflow) {
            this.smartflow = Objects.requireNonNull(smartflow, "smartflow");
        }

        /** The embedding model, as a request's {@code model} names it; {@code text-embedding-3-small} by default. */
        public Builder model(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("model must not be blank");
            }
            this.model = value.strip();
            return this;
        }

        /** The vector length, sent as the request's {@code dimensions}; needed for models this class does not know. */
        public Builder dimensions(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("dimensions must be positive, not " + value);
            }
            this.dimensions = Optional.of(value);
            return this;
        }

        /** The most texts in one request; 32 by default. */
        public Builder batch(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("batch must be at least 1, not " + value);
            }
            this.batch = value;
            return this;
        }

        /** How many requests may be under way at once; 4 by default. */
        public Builder concurrency(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1, not " + value);
            }
            this.concurrency = value;
            return this;
        }

        /** @throws IllegalArgumentException when the model's vector length is neither known nor configured */
        public PipelineEmbedder build() {
            int length = dimensions.or(() -> Optional.ofNullable(KNOWN_DIMENSIONS.get(model)))
                    .orElseThrow(() -> new IllegalArgumentException("the vector length of '" + model
                            + "' is not known: set cache.embedder.dimensions"));
            return new PipelineEmbedder(this, length);
        }
    }
}
