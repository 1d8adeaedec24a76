package dev.smartflow.compliance.policy;

import dev.smartflow.core.spi.Embedder;
import dev.smartflow.core.spi.Policy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compares a call's text with policies' text by meaning, through the shared {@link Embedder}: a policy is embedded
 * whole and rule by rule (once per snapshot; vectors of unchanged text are carried over), the call passage by passage,
 * and a policy's similarity to the call is the best cosine between any passage and any of its vectors. Without an
 * embedder the comparison is off and only detectors (and the judge) find matches.
 */
final class Similarity {
    /** Rules of a policy embedded one by one, beyond the whole text. */
    static final int MAX_RULES = 16;
    /** Passages of a call embedded, the first and last ones of a longer text. */
    static final int MAX_PASSAGES = 16;
    private static final int WHOLE_TEXT_LIMIT = 2_000;

    private final Optional<Embedder> embedder;

    Similarity(Optional<Embedder> embedder) {
        this.embedder = embedder;
    }

    boolean enabled() {
        return embedder.isPresent();
    }

    /**
     * The vectors of {@code policy}'s text, reusing {@code previous} (text to vector) and recording every vector
     * into {@code next}; empty without an embedder.
     */
    List<float[]> policyVectors(Policy policy, Map<String, float[]> previous, Map<String, float[]> next) {
        if (embedder.isEmpty()) {
            return List.of();
        }
        List<String> texts = new ArrayList<>();
        if (policy.content().length() <= WHOLE_TEXT_LIMIT) {
            texts.add(policy.content().strip());
        }
        for (String rule : Passages.sentences(policy.content(), MAX_RULES)) {
            if (!texts.contains(rule)) {
                texts.add(rule);
            }
        }
        List<String> missing = texts.stream().filter(t -> !previous.containsKey(t) && !next.containsKey(t)).toList();
        Map<String, float[]> made = new HashMap<>();
        if (!missing.isEmpty()) {
            List<float[]> vectors = embedder.get().embedAll(missing);
            for (int i = 0; i < missing.size(); i++) {
                made.put(missing.get(i), vectors.get(i));
            }
        }
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (String text : texts) {
            float[] vector = made.containsKey(text) ? made.get(text)
                    : next.containsKey(text) ? next.get(text) : previous.get(text);
            next.put(text, vector);
            vectors.add(vector);
        }
        return vectors;
    }

    /** The vectors of a call's passages; empty without an embedder. */
    List<float[]> passageVectors(List<Passages.Passage> passages) {
        return vectors(passages.stream().map(Passages.Passage::text).toList());
    }

    /** The vectors of {@code texts}; empty without an embedder. */
    List<float[]> vectors(List<String> texts) {
        if (embedder.isEmpty() || texts.isEmpty()) {
            return List.of();
        }
        return embedder.get().embedAll(texts);
    }

    /** The index of the passage closest to any of {@code policy}'s vectors and its cosine; (-1, 0) for none. */
    static Best best(List<float[]> passages, List<float[]> policy) {
        int bestIndex = -1;
        double best = 0;
        for (int i = 0; i < passages.size(); i++) {
            for (float[] rule : policy) {
                double cosine = dot(passages.get(i), rule);
                if (cosine > best) {
                    best = cosine;
                    bestIndex = i;
                }
            }
        }
        return new Best(bestIndex, best);
    }

    /** The dot product, which is the cosine for the unit vectors an {@link Embedder} makes. */
    static double dot(float[] a, float[] b) {
        int n = Math.min(a.length, b.length);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    record Best(int passage, double cosine) {
    }
}
