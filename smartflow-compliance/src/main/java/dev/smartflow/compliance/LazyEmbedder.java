package dev.smartflow.compliance;

import dev.smartflow.core.spi.Embedder;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The shared embedder, taken only when the intelligent scan first needs it: a gateway that never runs one never loads
 * the model on compliance's account. Closing releases the share, if one was taken. Thread-safe.
 */
final class LazyEmbedder implements Embedder {
    private final Supplier<Embedder> open;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Embedder embedder;
    private volatile boolean closed;

    LazyEmbedder(Supplier<Embedder> open) {
        this.open = open;
    }

    private Embedder embedder() {
        Embedder taken = embedder;
        if (taken != null) {
            return taken;
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the compliance module is closed");
            }
            if (embedder == null) {
                embedder = open.get();
            }
            return embedder;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String model() {
        return embedder().model();
    }

    @Override
    public int dimensions() {
        return embedder().dimensions();
    }

    @Override
    public float[] embed(String text) {
        return embedder().embed(text);
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        return embedder().embedAll(texts);
    }

    /** False until the embedder is taken and its model loaded. */
    @Override
    public boolean ready() {
        Embedder taken = embedder;
        return taken != null && taken.ready();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (embedder != null) {
                embedder.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
