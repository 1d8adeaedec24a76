package dev.smartflow.core.budget;

import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Durable spend, written behind the request. Settling a call adds its cost here (an atomic add in memory); one
 * background thread moves the totals to {@link KeyStore#addSpend} every {@link #interval}, one write per key and
 * period however many calls settled in between. The request never waits on the database, as ARCHITECTURE.md asks.
 *
 * <p>Why it is safe: the shared-state budget, which enforces the limit, is settled at once; the durable total only
 * has to survive restarts. A write that fails keeps its amount for the next flush; {@link #close()} flushes what is
 * left, so a clean shutdown loses nothing. A crash loses at most one interval of durable spend, which shared state
 * (Redis) still counts. The flusher starts with the first amount, so a ledger that never records costs no thread.
 */
final class SpendLedger implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SpendLedger.class.getName());
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    private record Entry(KeyId key, String periodKey) {
    }

    private final KeyStore store;
    private final Duration interval;
    /** Run after every flush, outside the flush lock: where {@link Budgets} tells its spend listeners. */
    private final Runnable afterFlush;
    /** One counter per key and period; kept once created, so an add never races a removal. */
    private final Map<Entry, AtomicLong> pending = new ConcurrentHashMap<>();
    /** Serialises flushes (the flusher's and close's); a lock, not synchronized: a flush does I/O. */
    private final ReentrantLock flushing = new ReentrantLock();
    private volatile Thread flusher;
    private volatile boolean closed;

    SpendLedger(KeyStore store, Duration interval) {
        this(store, interval, () -> { });
    }

    SpendLedger(KeyStore store, Duration interval, Runnable afterFlush) {
        this.store = Objects.requireNonNull(store, "store");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.afterFlush = Objects.requireNonNull(afterFlush, "afterFlush");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
    }

    /** Records {@code micros} spent by {@code key} in {@code periodKey}; written to the store on the next flush. */
    void add(KeyId key, String periodKey, long micros) {
        if (micros <= 0) {
            return;
        }
        pending.computeIfAbsent(new Entry(key, periodKey), e -> new AtomicLong()).addAndGet(micros);
        if (flusher == null && !closed) {
            startFlusher();
        }
    }

    /** Forgets what is pending for {@code key} in {@code periodKey}: the period was reset. */
    void discard(KeyId key, String periodKey) {
        AtomicLong amount = pending.get(new Entry(key, periodKey));
        if (amount != null) {
            amount.set(0);
        }
    }

    /**
     * The durable spend of {@code key} in {@code periodKey} plus what is pending for it here, read under the flush
     * lock, so that an amount a flush moves meanwhile is counted once.
     */
    long total(KeyId key, String periodKey) {
        flushing.lock();
        try {
            AtomicLong amount = pending.get(new Entry(key, periodKey));
            return store.spend(key, periodKey) + (amount == null ? 0 : amount.get());
        } finally {
            flushing.unlock();
        }
    }

    /** Writes every pending amount to the store (amounts whose write fails stay pending), then runs the after-flush. */
    void flush() {
        write();
        afterFlush.run();
    }

    private void write() {
        flushing.lock();
        try {
            pending.forEach((entry, amount) -> {
                long micros = amount.getAndSet(0);
                if (micros == 0) {
                    return;
                }
                try {
                    store.addSpend(entry.key(), entry.periodKey(), micros);
                } catch (RuntimeException e) {
                    amount.addAndGet(micros);
                    LOG.log(System.Logger.Level.WARNING, "writing spend of key " + entry.key().value()
                            + " to the durable store failed; will retry", e);
                }
            });
        } finally {
            flushing.unlock();
        }
    }

    private synchronized void startFlusher() {
        if (flusher != null || closed) {
            return;
        }
        flusher = Thread.ofPlatform().name("smartflow-spend-ledger").daemon().start(() -> {
            while (!closed) {
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    break;
                }
                flush();
            }
        });
    }

    /** Stops the flusher and writes what is left. */
    @Override
    public void close() {
        closed = true;
        Thread thread = flusher;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flush();
    }
}
