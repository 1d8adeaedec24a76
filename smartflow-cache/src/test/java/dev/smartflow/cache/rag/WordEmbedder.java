package dev.smartflow.cache.rag;

import dev.smartflow.core.spi.Embedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic stand-in for a sentence model: each word (lower-cased letters and digits) adds one to a dimension
 * chosen by its hash, then the vector is normalised, so texts sharing words are near. Tests can hold its batches
 * ({@link #hold}) to watch an ingest's progress, and make it fail.
 */
final class WordEmbedder implements Embedder {
    static final int DIMENSIONS = 256;

    private final String model;
    final AtomicInteger batches = new AtomicInteger();
    private volatile Semaphore gate;
    private volatile CountDownLatch waiting = new CountDownLatch(0);
    private volatile int failAfterBatches = -1;

    WordEmbedder() {
        this("test-words-256");
    }

    WordEmbedder(String model) {
        this.model = model;
    }

    /** From now on each batch waits for a permit of {@link #release}; {@link #awaitBlocked} waits for one to block. */
    void hold() {
        gate = new Semaphore(0);
        waiting = new CountDownLatch(1);
    }

    void release(int batches) {
        gate.release(batches);
    }

    void awaitBlocked() throws InterruptedException {
        waiting.await();
    }

    /** Lets {@code batches} batches through, then fails every one. */
    void failAfter(int batches) {
        failAfterBatches = batches;
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public int dimensions() {
        return DIMENSIONS;
    }

    @Override
    public float[] embed(String text) {
        float[] vector = new float[DIMENSIONS];
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!word.isEmpty()) {
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
        int batch = batches.incrementAndGet();
        if (failAfterBatches >= 0 && batch > failAfterBatches) {
            throw new IllegalStateException("the model is gone");
        }
        Semaphore held = gate;
        if (held != null) {
            waiting.countDown();
            try {
                held.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        List<float[]> vectors = new ArrayList<>(texts.size());
        texts.forEach(text -> vectors.add(embed(text)));
        return vectors;
    }
}
