package dev.smartflow.cache.metacache;

import dev.smartflow.core.spi.SharedState;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts hits, misses and savings in this process and adds them to one hash in shared state
 * ({@code metacache:stats}) in the background, so every instance's figures add up and a call never waits on the
 * count. {@link #flush()} runs at least once a second (and before every read); what a crash loses is at most the last
 * second's counts. Thread-safe.
 */
final class StatsCounter {
    private static final System.Logger LOG = System.getLogger(StatsCounter.class.getName());
    static final String KEY = "metacache:stats";

    enum Field {
        HITS("hits"), MISSES("misses"), L1_HITS("l1_hits"), L2_HITS("l2_hits"), L3_HITS("l3_hits"),
        TOKENS_SAVED("tokens_saved"), COST_SAVED_MICROS("cost_saved_micros");

        final String id;

        Field(String id) {
            this.id = id;
        }
    }

    private final SharedState state;
    private final LongAdder[] pending = new LongAdder[Field.values().length];

    StatsCounter(SharedState state) {
        this.state = Objects.requireNonNull(state, "state");
        for (int i = 0; i < pending.length; i++) {
            pending[i] = new LongAdder();
        }
    }

    void add(Field field, long delta) {
        if (delta != 0) {
            pending[field.ordinal()].add(delta);
        }
    }

    /** Adds what this process counted since the last flush to the shared figures. */
    void flush() {
        for (Field field : Field.values()) {
            long delta = pending[field.ordinal()].sumThenReset();
            if (delta == 0) {
                continue;
            }
            try {
                state.hashIncrement(KEY, field.id, delta);
            } catch (RuntimeException e) {
                pending[field.ordinal()].add(delta);
                LOG.log(System.Logger.Level.WARNING, "cache stats could not be written to shared state; kept for the "
                        + "next try: " + e.getMessage());
                return;
            }
        }
    }

    /** The shared figures, this process's pending counts included. */
    CacheStats read(long entries) {
        flush();
        Map<String, String> shared = state.hashGetAll(KEY);
        return new CacheStats(value(shared, Field.HITS), value(shared, Field.MISSES), value(shared, Field.L1_HITS),
                value(shared, Field.L2_HITS), value(shared, Field.L3_HITS), value(shared, Field.TOKENS_SAVED),
                value(shared, Field.COST_SAVED_MICROS), entries);
    }

    /** Forgets the shared figures (and this process's pending ones). */
    void reset() {
        for (LongAdder adder : pending) {
            adder.reset();
        }
        state.delete(KEY);
    }

    private static long value(Map<String, String> shared, Field field) {
        try {
            return Long.parseLong(shared.getOrDefault(field.id, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
