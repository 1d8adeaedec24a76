package dev.smartflow.core.routing;

import dev.smartflow.core.spi.ChainStore;
import dev.smartflow.core.spi.SharedState;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The fallback chains as the route stage sees them: a snapshot of the {@link ChainStore}, so that no call waits on the
 * database, kept current on every instance within a second of a change.
 *
 * <p>A change made here ({@link #put}, {@link #delete}) bumps a version counter in the shared state. Each instance
 * reads that counter at most once a second, on the call path (one shared-state read a second), and when it moved,
 * reloads the chains on the reload executor while calls go on with the snapshot they have. If the shared state cannot
 * be read, the snapshot stays as it is.
 *
 * <p>Thread-safe.
 */
public final class Chains {
    static final String VERSION = "route:chains:version";
    private static final System.Logger LOG = System.getLogger(Chains.class.getName());
    private static final Duration CHECK = Duration.ofSeconds(1);

    private final ChainStore store;
    private final SharedState state;
    private final InstantSource clock;
    private final Executor reloads;
    private final AtomicBoolean reloading = new AtomicBoolean();
    private volatile Map<String, FallbackChain> snapshot = Map.of();
    private volatile long loadedVersion = -1;
    private volatile long nextCheckAt;

    /**
     * @param reloads where a reload runs; the server passes virtual threads, tests {@code Runnable::run}
     */
    public Chains(ChainStore store, SharedState state, InstantSource clock, Executor reloads) {
        this.store = Objects.requireNonNull(store, "store");
        this.state = Objects.requireNonNull(state, "state");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.reloads = Objects.requireNonNull(reloads, "reloads");
    }

    /** The chain named {@code name}, as of at most a second ago. */
    public Optional<FallbackChain> get(String name) {
        long now = clock.millis();
        if (now >= nextCheckAt) {
            nextCheckAt = now + CHECK.toMillis();
            long version;
            try {
                version = currentVersion();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "chain version unreadable, keeping the snapshot: " + e);
                return Optional.ofNullable(snapshot.get(name));
            }
            if (version != loadedVersion && reloading.compareAndSet(false, true)) {
                reloads.execute(() -> {
                    try {
                        load(version);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "reloading the fallback chains failed", e);
                        nextCheckAt = 0;
                    } finally {
                        reloading.set(false);
                    }
                });
            }
        }
        return Optional.ofNullable(snapshot.get(name));
    }

    /** Loads every chain now, on the caller's thread: at start, before calls arrive. */
    public void refresh() {
        load(currentVersion());
    }

    /** Every chain, from the store. */
    public List<FallbackChain> list() {
        return store.list();
    }

    /** The stored chain, from the store. */
    public Optional<FallbackChain> stored(String name) {
        return store.get(name);
    }

    /** Stores {@code chain} and tells every instance; true when it is new. */
    public boolean put(FallbackChain chain) {
        boolean created = store.put(chain);
        changed();
        return created;
    }

    /** Removes the chain and tells every instance; true when there was one. */
    public boolean delete(String name) {
        boolean deleted = store.delete(name);
        if (deleted) {
            changed();
        }
        return deleted;
    }

    private void changed() {
        long version = state.increment(VERSION, 1, Optional.empty());
        load(version);
    }

    private long currentVersion() {
        return state.get(VERSION).map(Long::parseLong).orElse(0L);
    }

    private void load(long version) {
        snapshot = store.list().stream().collect(Collectors.toUnmodifiableMap(FallbackChain::name,
                Function.identity()));
        loadedVersion = version;
    }
}
