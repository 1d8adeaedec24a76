package dev.smartflow.core.spi;

import java.util.List;

/**
 * Turns text into vectors for the semantic cache, the vector stores and compliance's similarity layer. The default is
 * an offline sentence-embedding model running in-process (module {@code smartflow-cache}); another calls a provider's
 * embeddings API through the pipeline.
 *
 * <pre>{@code
 * float[] query = embedder.embed("How do I reset my password?");
 * List<VectorIndex.Match> near = index.search("vs:vs_abc", query, 5, 0.7);
 * }</pre>
 *
 * <p><b>Contract.</b> Thread-safe; concurrent callers may be batched together. Every vector has {@link #dimensions()}
 * components and unit length (L2-normalised), so a dot product is the cosine similarity. The same text gives the same
 * vector for the life of the embedder. {@link #model()} names the model and changes when the vectors would: entries
 * embedded by one model are never compared with another's. A model still loading makes callers wait for it (or fail
 * with {@link IllegalStateException} once it failed to load); {@link #ready()} tells without waiting.
 */
public interface Embedder extends AutoCloseable {
    /** A stable name of the model, e.g. {@code all-minilm-l6-v2-q}; part of every key built on its vectors. */
    String model();

    /** The length of every vector. */
    int dimensions();

    /** The unit-length vector of {@code text}. */
    float[] embed(String text);

    /** The vectors of {@code texts}, in order; one batch where the model allows. */
    List<float[]> embedAll(List<String> texts);

    /** Whether the model is loaded and {@link #embed} will not wait for it. */
    default boolean ready() {
        return true;
    }

    @Override
    default void close() {
    }
}
