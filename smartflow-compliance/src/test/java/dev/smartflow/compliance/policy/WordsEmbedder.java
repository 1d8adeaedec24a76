package dev.smartflow.compliance.policy;

import dev.smartflow.core.spi.Embedder;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A deterministic stand-in for a sentence model: the vector of a text counts its words (lower case, stop words left
 * out, a trailing {@code s} dropped) in 512 hashed buckets, L2-normalised, so the cosine of two texts is how many
 * content words they share. Meant for tests of what the evaluation does with similarities, not of any model.
 */
final class WordsEmbedder implements Embedder {
    private static final int DIMENSIONS = 512;
    private static final Set<String> STOP = Set.of("a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "is",
            "are", "be", "do", "not", "no", "any", "with", "this", "that", "it", "as", "at", "by", "from", "our", "us",
            "we", "you", "your", "i", "me", "my", "never", "please", "can");

    @Override
    public String model() {
        return "test-words";
    }

    @Override
    public int dimensions() {
        return DIMENSIONS;
    }

    @Override
    public float[] embed(String text) {
        float[] vector = new float[DIMENSIONS];
        for (String word : text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (word.isEmpty() || STOP.contains(word)) {
                continue;
            }
            String stem = word.length() > 3 && word.endsWith("s") ? word.substring(0, word.length() - 1) : word;
            vector[Math.floorMod(stem.hashCode(), DIMENSIONS)] += 1;
        }
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        if (norm > 0) {
            float scale = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < vector.length; i++) {
                vector[i] *= scale;
            }
        }
        return vector;
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        return texts.stream().map(this::embed).toList();
    }
}
