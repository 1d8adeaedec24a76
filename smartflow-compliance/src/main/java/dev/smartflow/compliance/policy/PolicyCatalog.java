package dev.smartflow.compliance.policy;

import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.spi.Policy;
import dev.smartflow.core.spi.PolicyStore;
import dev.smartflow.core.spi.SharedState;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The policy library as the request path sees it: a {@link PolicySnapshot} in memory, so that no call reads the
 * database, replaced whenever the library changes on any instance.
 *
 * <p><b>How a change travels.</b> Every write through {@link PolicyLibrary} bumps a version counter in the shared
 * state, publishes the new version on a channel, and reloads this instance's snapshot before the write is answered
 * (so the operator who made it sees it at once). Every instance subscribes to the channel and reloads on a message,
 * off the message thread. Pub/sub delivers at most once, so each instance also compares the counter with its
 * snapshot's version every {@code refresh} and reloads when they differ, and reloads regardless every
 * {@value #FULL_RELOAD_EVERY} checks (a change made while the shared state was unreachable moves no counter).
 *
 * <p><b>Before the first load.</b> The snapshot is loaded in the background at start (the database may still be
 * opening); a call that arrives before it waits for it, up to {@value #FIRST_LOAD_SECONDS} seconds, then gets a 503:
 * policies are never skipped because they are not loaded yet.
 *
 * <p>Thread-safe. Reloads run one at a time; the snapshot is swapped whole.
 */
final class PolicyCatalog implements AutoCloseable {
    static final String VERSION_KEY = "policy:library:version";
    static final String CHANNEL = "policy:library";
    static final int FIRST_LOAD_SECONDS = 30;
    static final int FULL_RELOAD_EVERY = 12;
    private static final System.Logger LOG = System.getLogger(PolicyCatalog.class.getName());

    private final Supplier<PolicyStore> store;
    private final SharedState state;
    private final Similarity similarity;
    private final PolicyDetectors detectors;
    private final Duration refresh;
    private final ReentrantLock reloading = new ReentrantLock();
    private final CompletableFuture<PolicySnapshot> first = new CompletableFuture<>();
    private volatile PolicySnapshot snapshot = PolicySnapshot.EMPTY;
    private volatile Map<String, float[]> vectors = Map.of();
    private ScheduledExecutorService checks;
    private SharedState.Subscription subscription;
    private int checksSinceFullReload;

    /**
     * @param store the library's store; a supplier, because the server's database may still be opening
     */
    PolicyCatalog(Supplier<PolicyStore> store, SharedState state, Similarity similarity, PolicyDetectors detectors,
                  Duration refresh) {
        this.store = Objects.requireNonNull(store, "store");
        this.state = Objects.requireNonNull(state, "state");
        this.similarity = Objects.requireNonNull(similarity, "similarity");
        this.detectors = Objects.requireNonNull(detectors, "detectors");
        this.refresh = Objects.requireNonNull(refresh, "refresh");
    }

    /** Subscribes to changes, loads the first snapshot in the background and starts the periodic check. */
    void start() {
        subscription = state.subscribe(CHANNEL, message -> Thread.ofVirtual().name("policy-reload")
                .start(this::reloadQuietly));
        checks = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("policy-check")
                .factory());
        checks.execute(this::reloadQuietly);
        checks.scheduleWithFixedDelay(this::check, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The current snapshot; before the first load, waits for it.
     *
     * @throws GatewayError 503 {@code policies_unavailable} when the first load has not finished in time
     */
    PolicySnapshot current() {
        if (first.isDone()) {
            return snapshot;
        }
        try {
            return first.get(FIRST_LOAD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        } catch (ExecutionException | TimeoutException e) {
            throw unavailable();
        }
    }

    private static GatewayError unavailable() {
        return GatewayError.of(503, "server_error", "policies_unavailable",
                "the policy library is not loaded yet; retry shortly").withHeader("Retry-After", "1");
    }

    /** Tells every instance the library changed, and reloads this one's snapshot now. */
    void changed() {
        try {
            long version = state.increment(VERSION_KEY, 1, Optional.empty());
            state.publish(CHANNEL, Long.toString(version));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not tell other instances the policy library changed (they "
                    + "will notice within a minute): " + e.getMessage());
        }
        reload();
    }

    /** Loads the library and compiles its active policies into a new snapshot. */
    void reload() {
        reloading.lock();
        try {
            long version = readVersion();
            PolicyStore library = store.get();
            List<Policy> policies = library.policies();
            Map<String, float[]> previous = vectors;
            Map<String, float[]> next = new HashMap<>();
            Map<String, CompiledPolicy> active = new LinkedHashMap<>();
            for (Policy policy : policies) {
                if (policy.active()) {
                    active.put(policy.id(), compile(policy, previous, next));
                }
            }
            PolicySnapshot loaded = new PolicySnapshot(version, library.presets(), library.assignments(), active);
            vectors = Map.copyOf(next);
            snapshot = loaded;
            first.complete(loaded);
        } finally {
            reloading.unlock();
        }
    }

    private CompiledPolicy compile(Policy policy, Map<String, float[]> previous, Map<String, float[]> next) {
        List<float[]> policyVectors;
        try {
            policyVectors = similarity.policyVectors(policy, previous, next);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "policy " + policy.id() + " could not be embedded; it matches by "
                    + "detectors only until the next reload: " + e.getMessage());
            policyVectors = List.of();
        }
        List<IpRange> ranges = policy.targeting().sourceIps().stream().map(IpRange::parse)
                .flatMap(Optional::stream).toList();
        return new CompiledPolicy(policy, policyVectors, detectors.forPolicy(policy), ranges);
    }

    private long readVersion() {
        try {
            return state.get(VERSION_KEY).map(Long::parseLong).orElse(0L);
        } catch (RuntimeException e) {
            return snapshot.version();
        }
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "reloading the policy library failed; calls keep the last snapshot",
                    e);
        }
    }

    private void check() {
        try {
            boolean full = ++checksSinceFullReload >= FULL_RELOAD_EVERY;
            if (full || state.get(VERSION_KEY).map(Long::parseLong).orElse(0L) != snapshot.version()) {
                checksSinceFullReload = 0;
                reload();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "policy library check failed: " + e);
        }
    }

    @Override
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
        if (checks != null) {
            checks.shutdownNow();
        }
    }
}
