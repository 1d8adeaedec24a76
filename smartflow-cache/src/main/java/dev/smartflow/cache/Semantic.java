package dev.smartflow.cache;

import dev.smartflow.cache.embed.Embedders;
import dev.smartflow.cache.index.FlatVectorIndex;
import dev.smartflow.cache.index.SharedVectorIndex;
import dev.smartflow.core.spi.Embedder;
import dev.smartflow.core.spi.VectorIndex;
import dev.smartflow.server.ModuleContext;
import java.time.InstantSource;
import java.util.Objects;

/**
 * The semantic layer the cache module's parts share: one {@link Embedder}, one {@link VectorIndex} and the clock.
 * {@link CacheModule} opens it once and hands it to each part (the MetaCache, the vector stores); in-process users
 * build one with {@link #of}.
 *
 * <p>Closing it closes the index and releases the embedder (a shared embedder closes when its last user lets go).
 */
public final class Semantic implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Semantic.class.getName());

    private final Embedder embedder;
    private final VectorIndex index;
    private final InstantSource clock;

    private Semantic(Embedder embedder, VectorIndex index, InstantSource clock) {
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.index = Objects.requireNonNull(index, "index");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The layer from these parts; closing it closes them. */
    public static Semantic of(Embedder embedder, VectorIndex index, InstantSource clock) {
        return new Semantic(embedder, index, clock);
    }

    /**
     * The layer of a server: the process's shared embedder ({@code cache.embedder}, loading in the background) and an
     * index. With Redis configured the index is shared by every instance ({@link SharedVectorIndex}; the namespaces
     * it holds are loaded in the background); otherwise it is this process's own ({@link FlatVectorIndex}).
     */
    public static Semantic open(ModuleContext context) {
        Embedder embedder = Embedders.shared(context);
        if (context.server().redisUrl().isEmpty()) {
            return new Semantic(embedder, new FlatVectorIndex(), context.clock());
        }
        SharedVectorIndex index;
        try {
            index = SharedVectorIndex.open(context.state());
        } catch (RuntimeException e) {
            embedder.close();
            throw e;
        }
        Thread.ofVirtual().name("smartflow-vector-index-preload").start(() -> {
            try {
                int namespaces = index.preload();
                LOG.log(System.Logger.Level.INFO, () -> "vector index: " + namespaces + " namespaces loaded");
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "vector index: namespaces will load at first use ("
                        + e.getMessage() + ")");
            }
        });
        return new Semantic(embedder, index, context.clock());
    }

    public Embedder embedder() {
        return embedder;
    }

    public VectorIndex index() {
        return index;
    }

    public InstantSource clock() {
        return clock;
    }

    @Override
    public void close() {
        try {
            index.close();
        } finally {
            embedder.close();
        }
    }
}
