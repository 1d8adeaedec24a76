package dev.smartflow.compliance.policy;

import dev.smartflow.core.spi.Policy;
import dev.smartflow.core.spi.PolicyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Counts what the policies did, without touching the database or the shared state per call: in-process adders, added
 * to the database's counters every {@code flush} (and at close), so the totals survive restarts and add up over every
 * instance. What {@link #totals()} answers is the database's totals plus what this instance has not flushed yet.
 *
 * <p>Counters: {@value #REQUESTS} (calls evaluated against at least one policy), {@value #APPLICATIONS} (a policy
 * applied to a call: a call with three applicable policies counts three), {@value #VIOLATIONS} (a policy matched a
 * call, whatever its action), {@value #BLOCKED} and {@value #REDACTED} (calls).
 */
final class PolicyStats implements AutoCloseable {
    static final String REQUESTS = "requests_evaluated";
    static final String APPLICATIONS = "applications";
    static final String VIOLATIONS = "violations";
    static final String BLOCKED = "requests_blocked";
    static final String REDACTED = "requests_redacted";
    private static final System.Logger LOG = System.getLogger(PolicyStats.class.getName());

    private final Supplier<PolicyStore> store;
    private final Map<String, LongAdder> pending = new ConcurrentHashMap<>();
    private final ReentrantLock flushing = new ReentrantLock();
    private final ScheduledExecutorService flusher;

    PolicyStats(Supplier<PolicyStore> store, Duration flush) {
        this.store = Objects.requireNonNull(store, "store");
        this.flusher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("policy-stats").factory());
        flusher.scheduleWithFixedDelay(this::flushQuietly, flush.toMillis(), flush.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Counts one evaluated call. */
    void record(PolicyVerdict verdict) {
        if (verdict.applied().isEmpty()) {
            return;
        }
        add(REQUESTS, 1);
        add(APPLICATIONS, verdict.applied().size());
        add(VIOLATIONS, verdict.matches().size());
        verdict.action().ifPresent(action -> {
            if (action == Policy.Action.BLOCK) {
                add(BLOCKED, 1);
            } else if (action == Policy.Action.REDACT) {
                add(REDACTED, 1);
            }
        });
    }

    private void add(String counter, long delta) {
        if (delta > 0) {
            pending.computeIfAbsent(counter, c -> new LongAdder()).add(delta);
        }
    }

    /** Every counter: the database's totals plus what is not flushed yet. */
    Map<String, Long> totals() {
        // under the flush lock, so a flush cannot move a count from one side to the other while both are read
        flushing.lock();
        try {
            Map<String, Long> totals = new HashMap<>(store.get().counts());
            pending.forEach((counter, adder) -> totals.merge(counter, adder.sum(), Long::sum));
            return totals;
        } finally {
            flushing.unlock();
        }
    }

    /** Adds what was counted since the last flush to the database. */
    void flush() {
        flushing.lock();
        try {
            Map<String, Long> deltas = new HashMap<>();
            pending.forEach((counter, adder) -> {
                long value = adder.sum();
                if (value > 0) {
                    deltas.put(counter, value);
                }
            });
            if (deltas.isEmpty()) {
                return;
            }
            store.get().addCounts(deltas);
            // taken off only once written: a failed flush keeps them for the next one
            deltas.forEach((counter, value) -> pending.get(counter).add(-value));
        } finally {
            flushing.unlock();
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "policy counts could not be written; kept for the next try: "
                    + e.getMessage());
        }
    }

    /** Stops the timer and writes what is left. */
    @Override
    public void close() {
        flusher.shutdownNow();
        flushQuietly();
    }
}
