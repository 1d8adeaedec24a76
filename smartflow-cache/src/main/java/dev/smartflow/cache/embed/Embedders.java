package dev.smartflow.cache.embed;

import dev.smartflow.core.Smartflow;
import dev.smartflow.core.spi.Embedder;
import dev.smartflow.server.ModuleContext;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Builds the configured {@link Embedder} and shares it: every module of a process that embeds text (the cache, the
 * vector stores, compliance's similarity checks) must compare vectors of one model, and one ONNX model in memory is
 * enough.
 *
 * <pre>{@code
 * // in a ServerModule's install: the embedder of the cache section (cache.embedder), shared by every module
 * Embedder embedder = Embedders.shared(context);
 * context.closeWith(embedder);      // releases this module's share; the last share closes the embedder
 * }</pre>
 *
 * <p>{@link #shared} keeps one embedder per data directory and settings: each call returns a share of it, and the
 * embedder closes when the last share is closed. A share is an {@link Embedder} itself; closing it twice is harmless,
 * and using it after closing fails with {@link IllegalStateException}. {@link #create} builds an embedder of the
 * caller's own. Thread-safe.
 */
public final class Embedders {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Map<Key, Entry> SHARED = new HashMap<>();

    private Embedders() {
    }

    /**
     * A new embedder the caller closes: {@link OnnxEmbedder} (loading in the background, files under {@code dataDir})
     * or {@link PipelineEmbedder} (calling through the pipeline {@code smartflow} supplies).
     */
    public static Embedder create(EmbedderSettings settings, Path dataDir, Supplier<Smartflow> smartflow) {
        return switch (settings.type()) {
            case ONNX -> OnnxEmbedder.builder(dataDir).batch(settings.batch()).threads(settings.threads())
                    .tensorBatches(settings.tensorBatches()).loadTimeout(settings.loadTimeout()).start();
            case PROVIDER -> {
                PipelineEmbedder.Builder builder = PipelineEmbedder.builder(smartflow).model(settings.model())
                        .batch(settings.batch());
                settings.dimensions().ifPresent(builder::dimensions);
                yield builder.build();
            }
        };
    }

    /**
     * A share of the process's embedder for {@code dataDir} and {@code settings}, created on first use. For the
     * provider type the first caller's {@code smartflow} is the one used.
     */
    public static Embedder shared(EmbedderSettings settings, Path dataDir, Supplier<Smartflow> smartflow) {
        Key key = new Key(dataDir.toAbsolutePath().normalize(), settings);
        LOCK.lock();
        try {
            Entry entry = SHARED.computeIfAbsent(key, k -> new Entry(create(settings, dataDir, smartflow)));
            entry.shares++;
            return new Share(key, entry.embedder);
        } finally {
            LOCK.unlock();
        }
    }

    /** A share of the embedder the configuration's {@code cache.embedder} names, for any server module. */
    public static Embedder shared(ModuleContext context) {
        EmbedderSettings settings = EmbedderSettings.from(context.server().section("cache").path("embedder"));
        return shared(settings, context.server().dataDir(), context.smartflow());
    }

    /** The embedders shared at present, for tests. */
    static List<Embedder> sharedNow() {
        LOCK.lock();
        try {
            return SHARED.values().stream().map(entry -> entry.embedder).toList();
        } finally {
            LOCK.unlock();
        }
    }

    private static void release(Key key) {
        Embedder last = null;
        LOCK.lock();
        try {
            Entry entry = SHARED.get(key);
            if (entry != null && --entry.shares == 0) {
                SHARED.remove(key);
                last = entry.embedder;
            }
        } finally {
            LOCK.unlock();
        }
        if (last != null) {
            last.close();
        }
    }

    private record Key(Path dataDir, EmbedderSettings settings) {
    }

    private static final class Entry {
        final Embedder embedder;
        int shares;

        Entry(Embedder embedder) {
            this.embedder = embedder;
        }
    }

    /** One user's handle on a shared embedder. */
    private static final class Share implements Embedder {
        private final Key key;
        private final Embedder embedder;
        private final AtomicBoolean closed = new AtomicBoolean();

        Share(Key key, Embedder embedder) {
            this.key = key;
            this.embedder = embedder;
        }

        @Override
        public String model() {
            return embedder.model();
        }

        @Override
        public int dimensions() {
            return embedder.dimensions();
        }

        @Override
        public float[] embed(String text) {
            open();
            return embedder.embed(text);
        }

        @Override
        public List<float[]> embedAll(List<String> texts) {
            open();
            return embedder.embedAll(texts);
        }

        @Override
        public boolean ready() {
            return !closed.get() && embedder.ready();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release(key);
            }
        }

        private void open() {
            if (closed.get()) {
                throw new IllegalStateException("this share of the embedder is closed");
            }
        }

        @Override
        public String toString() {
            return "Embedder[" + embedder.model() + ", shared]";
        }
    }
}
