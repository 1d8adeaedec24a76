package dev.smartflow.compliance.intel;

import dev.smartflow.core.spi.Embedder;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A stand-in for the ONNX model in unit tests: a bag of lower-case words hashed into 256 dimensions, unit length. Texts
 * sharing most words are close; texts sharing none are orthogonal. Deterministic and instant.
 */
final class WordsEmbedder implements Embedder {
    private static final int DIMENSIONS = 256;
    private static final Set<String> STOP = Set.of("the", "a", "an", "is", "of", "to", "and", "in", "for", "my", "me",
            "this", "what", "with", "it", "i", "you", "your", "our", "all", "be", "on", "from", "at", "so", "do",
            "does", "not", "are", "please", "their", "them", "us", "we", "they", "can", "how", "here", "there");

    @Override
    public String model() {
        return "words-test";
    }

    @Override
    public int dimensions() {
        return DIMENSIONS;
    }

    @Override
    public float[] embed(String text) {
        float[] vector = new float[DIMENSIONS];
        for (String word : text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (!word.isEmpty() && !STOP.contains(word)) {
                vector[Math.floorMod(word.hashCode(), DIMENSIONS)] += 1;
            }
        }
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        if (norm == 0) {
            vector[0] = 1;
            return vector;
        }
        for (int i = 0; i < DIMENSIONS; i++) {
            vector[i] /= (float) Math.sqrt(norm);
        }
        return vector;
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        return texts.stream().map(this::embed).toList();
    }
}
