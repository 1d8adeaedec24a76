package dev.smartflow.cache.metacache;

import dev.smartflow.cache.Semantic;
import dev.smartflow.cache.index.FlatVectorIndex;
import dev.smartflow.core.Slot;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.SmartflowModule;
import dev.smartflow.core.Ticker;
import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.spi.Embedder;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.VectorIndex;
import dev.smartflow.server.ModuleContext;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The MetaCache: a three-tier cache of chat answers (L1 this process's memory, L3 exact in shared state, L2 by
 * meaning through an {@link Embedder} and a {@link VectorIndex}) that runs as a stage of the pipeline, for the
 * server and in-process alike.
 *
 * <pre>{@code
 * try (MetaCache cache = MetaCache.builder().embedder(embedder).pricing(catalog).build();
 *      Smartflow smartflow = Smartflow.builder().resolver(registry).pricing(catalog).install(cache).build()) {
 *     smartflow.chat(ChatRequest.of("gpt-4o-mini", "What is the capital of France?"));  // to the provider
 *     smartflow.chat(ChatRequest.of("gpt-4o-mini", "What is the capital of France?"));  // from L1
 *     System.out.println(cache.stats().hitRate());                                        // 0.5
 * }
 * }</pre>
 *
 * <p>What it answers, what it stores and why it never serves one tenant's answer to another, or a near-miss question's
 * answer to a question, is described on {@link CacheStage}, {@link RequestKey}, {@link Guard} and {@link Storable},
 * and in the README's MetaCache section. Without an embedder only the exact tiers run.
 *
 * <p>Thread-safe. {@link #close()} stops the background flush of the statistics and the clear listener; shared state,
 * embedder and index passed in are the caller's to close, those the builder made itself are closed here.
 */
public final class MetaCache implements SmartflowModule, AutoCloseable {
    private final Tiers tiers;
    private final StatsCounter stats;
    private final CacheStage stage;
    private final CacheSettings settings;
    private final ScheduledExecutorService flusher;
    private final List<AutoCloseable> owned;

    private MetaCache(Builder builder) {
        this.settings = builder.settings;
        this.owned = new ArrayList<>();
        SharedState state = builder.state;
        if (state == null) {
            state = new InMemorySharedState();
            owned.add(state);
        }
        VectorIndex index = builder.index;
        if (index == null) {
            index = new FlatVectorIndex();
            owned.add(index);
        }
        this.tiers = new Tiers(state, Optional.ofNullable(builder.embedder), index, builder.clock, builder.ticker,
                settings);
        this.stats = new StatsCounter(state);
        this.stage = new CacheStage(tiers, stats, settings, builder.pricing, builder.clock);
        this.flusher = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("metacache-stats")
                .factory());
        flusher.scheduleWithFixedDelay(stats::flush, 1, 1, TimeUnit.SECONDS);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Adds the cache stage to the pipeline's {@link Slot#CACHE}. The caller closes this cache. */
    @Override
    public void install(Smartflow.Builder pipeline) {
        pipeline.addStage(Slot.CACHE, stage);
    }

    public CacheSettings settings() {
        return settings;
    }

    /** The figures of every instance sharing this cache's state. */
    public CacheStats stats() {
        return stats.read(tiers.entries(Optional.empty()));
    }

    /** Removes every entry, in every instance sharing this cache's state; how many there were. */
    public long clear() {
        return tiers.clear(Optional.empty());
    }

    /**
     * Removes every entry of {@code namespace} (all tenants), in every instance; how many there were.
     *
     * @throws IllegalArgumentException if {@code namespace} is not a namespace
     */
    public long clear(String namespace) {
        if (!CacheSettings.NAMESPACE.matcher(Objects.requireNonNull(namespace, "namespace")).matches()) {
            throw new IllegalArgumentException("a namespace is 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return tiers.clear(Optional.of(namespace));
    }

    /**
     * Installs the MetaCache in a server: its settings from {@code cache.metacache}, L3 and the statistics in the
     * server's shared state, L2 on {@code semantic}'s embedder and index, savings priced from the server's catalog,
     * the control headers copied into exchanges, and {@code GET /api/cache/stats} and {@code DELETE /api/cache} on
     * the management port. Does nothing when {@code cache.metacache.enabled} is false.
     *
     * @throws IllegalArgumentException naming the setting at fault
     */
    public static void install(ModuleContext context, Semantic semantic) {
        CacheSettings settings = CacheSettings.from(context.config().path("metacache"));
        if (!settings.enabled()) {
            return;
        }
        MetaCache cache = builder().state(context.state()).embedder(semantic.embedder()).index(semantic.index())
                .pricing(context.pricing()).settings(settings).clock(semantic.clock()).build();
        context.pipeline().install(cache);
        context.requestHeaders(Controls.HEADERS);
        CacheRoutes.register(context, cache);
        context.closeWith(cache);
    }

    /** The request headers the cache reads, for a server to copy into exchanges. */
    public static List<String> requestHeaders() {
        return List.of(Controls.HEADERS);
    }

    /** The tiers, for tests of this package. */
    Tiers tiersForTest() {
        return tiers;
    }

    @Override
    public void close() {
        // not shutdownNow: interrupting a flush would interrupt its call to Redis
        flusher.shutdown();
        try {
            if (!flusher.awaitTermination(5, TimeUnit.SECONDS)) {
                flusher.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            stats.flush();
        } catch (RuntimeException e) {
            System.getLogger(MetaCache.class.getName()).log(System.Logger.Level.WARNING,
                    "the last cache figures could not be written: " + e.getMessage());
        }
        tiers.close();
        for (AutoCloseable closeable : owned) {
            try {
                closeable.close();
            } catch (Exception e) {
                System.getLogger(MetaCache.class.getName()).log(System.Logger.Level.WARNING,
                        "closing " + closeable.getClass().getSimpleName() + " failed", e);
            }
        }
    }

    /** Configures a {@link MetaCache}; every setting is optional. */
    public static final class Builder {
        private SharedState state;
        private Embedder embedder;
        private VectorIndex index;
        private Pricing pricing = Pricing.none();
        private CacheSettings settings = CacheSettings.DEFAULTS;
        private InstantSource clock = InstantSource.system();
        private Ticker ticker = Ticker.system();

        private Builder() {
        }

        /** Where L3, the statistics and the registry live; one in-process state of its own by default. */
        public Builder state(SharedState value) {
            this.state = Objects.requireNonNull(value, "state");
            return this;
        }

        /** Turns on L2 (by meaning); without one, only exact matches are served. */
        public Builder embedder(Embedder value) {
            this.embedder = Objects.requireNonNull(value, "embedder");
            return this;
        }

        /**
         * Where L2's vectors live; an in-process exact index by default. Pass a shared index so that instances find
         * each other's questions by meaning.
         */
        public Builder index(VectorIndex value) {
            this.index = Objects.requireNonNull(value, "index");
            return this;
        }

        /** Prices what a hit saved; without it, savings are counted in tokens only. */
        public Builder pricing(Pricing value) {
            this.pricing = Objects.requireNonNull(value, "pricing");
            return this;
        }

        public Builder settings(CacheSettings value) {
            this.settings = Objects.requireNonNull(value, "settings");
            return this;
        }

        /** The wall clock that expires entries; {@link InstantSource#system()} by default. */
        public Builder clock(InstantSource value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** L1's time source; {@link Ticker#system()} by default. */
        public Builder ticker(Ticker value) {
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        public MetaCache build() {
            return new MetaCache(this);
        }
    }
}
