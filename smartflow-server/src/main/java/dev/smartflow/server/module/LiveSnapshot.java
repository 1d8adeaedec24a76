package dev.smartflow.server.module;

import dev.smartflow.core.spi.SharedState;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A snapshot of durable records (MCP servers and grants, A2A agents) that every instance keeps current without
 * the call path waiting on the database.
 *
 * <p>A change made on any instance bumps a version counter in the shared state and publishes the new version on a
 * channel: every subscribed instance reloads at once, behind the calls. Pub/sub is at most once, so each instance also
 * reads the counter on the call path, at most once a second, and reloads when it moved (as the routing's chain
 * snapshot does). The instance that made the change reloads before it answers, so its caller reads its own write.
 * The first load starts at once and the first reader waits for it (the database may still be opening).
 *
 * <p>Thread-safe. A reload that fails keeps the snapshot it had and tries again at the next check.
 */
public final class LiveSnapshot<T> implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LiveSnapshot.class.getName());
    private static final Duration CHECK = Duration.ofSeconds(1);

    private final String prefix;
    private final String name;
    private final Supplier<T> load;
    private final SharedState state;
    private final InstantSource clock;
    private final Executor reloads;
    private final String versionKey;
    private final SharedState.Subscription subscription;
    private final CompletableFuture<Void> first = new CompletableFuture<>();
    private final AtomicBoolean reloading = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();
    private final Runnable onChange;
    private volatile T snapshot;
    private volatile long loadedVersion = -1;
    private volatile long nextCheckAt;

    /**
     * @param prefix   what the version key and channel start with (the module's {@code state_prefix})
     * @param name     what is kept, for keys and log lines (e.g. {@code servers})
     * @param load     reads the whole snapshot from the database
     * @param onChange told after every reload that changed the snapshot (on the reloading thread)
     */
    public LiveSnapshot(String prefix, String name, Supplier<T> load, SharedState state, InstantSource clock,
                 Executor reloads, Runnable onChange) {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.name = Objects.requireNonNull(name, "name");
        this.load = Objects.requireNonNull(load, "load");
        this.state = Objects.requireNonNull(state, "state");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.reloads = Objects.requireNonNull(reloads, "reloads");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.versionKey = prefix + name + ":version";
        this.subscription = state.subscribe(channel(), message -> reloadLater());
        reloads.execute(() -> {
            try {
                reload();
                first.complete(null);
            } catch (RuntimeException e) {
                first.completeExceptionally(e);
            }
        });
    }

    private String channel() {
        return prefix + name + ":changed";
    }

    /** The snapshot as of at most a second ago (the first call waits for the first load). */
    public T get() {
        if (!first.isDone() || first.isCompletedExceptionally()) {
            awaitFirst();
        }
        long now = clock.millis();
        if (now >= nextCheckAt) {
            nextCheckAt = now + CHECK.toMillis();
            try {
                if (version() != loadedVersion) {
                    reloadLater();
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> name + " version unreadable, keeping the snapshot: " + e);
            }
        }
        return snapshot;
    }

    private void awaitFirst() {
        try {
            first.join();
        } catch (CompletionException e) {
            // the first load failed (the database was unreachable): try again on this caller's thread
            reload();
        }
    }

    /** Tells every instance that the records changed, and reloads here before returning. */
    public void changed() {
        long version;
        try {
            version = state.increment(versionKey, 1, Optional.empty());
            state.publish(channel(), Long.toString(version));
        } catch (RuntimeException e) {
            // the others catch up when the shared state answers again (their check reads the counter)
            LOG.log(System.Logger.Level.WARNING, "could not tell other instances that the " + name + " changed", e);
        }
        reload();
    }

    private void reloadLater() {
        if (reloading.compareAndSet(false, true)) {
            reloads.execute(() -> {
                try {
                    reload();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "reloading " + prefix + name + " failed", e);
                    nextCheckAt = 0;
                } finally {
                    reloading.set(false);
                }
            });
        }
    }

    /** One reload at a time, so an older read never replaces a newer one. */
    private void reload() {
        boolean changedNow;
        lock.lock();
        try {
            long version = -1;
            try {
                version = version();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> name + " version unreadable while reloading: " + e);
            }
            T loaded = load.get();
            changedNow = !Objects.equals(loaded, snapshot);
            snapshot = loaded;
            loadedVersion = version;
        } finally {
            lock.unlock();
        }
        if (!first.isDone()) {
            first.complete(null);
        }
        if (changedNow) {
            reloads.execute(onChange);
        }
    }

    private long version() {
        return state.get(versionKey).map(Long::parseLong).orElse(0L);
    }

    @Override
    public void close() {
        subscription.close();
    }
}
