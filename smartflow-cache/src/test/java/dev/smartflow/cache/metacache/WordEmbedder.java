package dev.smartflow.cache.metacache;

import dev.smartflow.core.spi.Embedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A deterministic stand-in for a sentence-embedding model: each word (lower case, plural "s" dropped, common words
 * skipped) adds a fixed pseudo-random unit direction, and the sum is normalised. Sentences sharing most content words
 * are close, as with a real model; sentences that differ in one name are close too, which is what the guard is for.
 */
final class WordEmbedder implements Embedder {
    static final int DIMENSIONS = 64;

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
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (word.isEmpty() || Guard.COMMON.contains(word)) {
                continue;
            }
            String stem = word.length() > 3 && word.endsWith("s") ? word.substring(0, word.length() - 1) : word;
            long seed = stem.hashCode() * 0x9E3779B97F4A7C15L;
            for (int i = 0; i < DIMENSIONS; i++) {
                seed ^= seed << 13;
                seed ^= seed >>> 7;
                seed ^= seed << 17;
                vector[i] += (seed % 1000) / 1000f;
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
        List<float[]> vectors = new ArrayList<>();
        texts.forEach(t -> vectors.add(embed(t)));
        return vectors;
    }
}
