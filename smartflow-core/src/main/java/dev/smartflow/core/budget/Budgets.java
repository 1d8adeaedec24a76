package dev.smartflow.core.budget;

import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.BudgetState;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.Reservation;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.VirtualKey;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.IsoFields;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The budgets of virtual keys: where each period's hot total lives in {@link SharedState}, where its durable total
 * lives in {@link KeyStore}, and how they are kept together.
 *
 * <p><b>Periods.</b> A budget's period key comes from the injected clock, in UTC: {@code 2026-11-23} (daily),
 * {@code 2026-W48} (ISO week), {@code 2026-11} (monthly) or {@code lifetime}. The shared-state budget is named
 * {@code budget:<key id>:<period key>}, so a new period is simply a new, empty budget: rollover needs no job.
 *
 * <p><b>Durable spend and seeding.</b> Settled costs are added to {@link KeyStore#addSpend} as well, so spend survives
 * a restart; that write happens behind the request, batched once a second per key and period ({@link SpendLedger}),
 * and {@link #close()} writes what is still pending. Shared state may not (in-memory state dies with the process), so before the first reservation against a
 * budget the shared total is seeded from the durable one: whoever first sets the marker {@code budget-seeded:<budget>}
 * in shared state (atomic, so one process among many) copies the durable spend in, and only when shared state knows
 * nothing of the budget yet (so a Redis that kept its totals is never counted twice). Within a process, callers wait
 * for a seed under way; across processes, a call on another instance in the moment between the mark and the seed may
 * reserve against the unseeded total (a window of one round trip, once a budget period).
 *
 * <p><b>Spend listeners.</b> {@link SpendListener}s learn each key's period spend behind the request: a settle only
 * notes the budget it changed (one map write, and only when there are listeners); after each flush of the durable
 * writer, every noted budget's total is read once from shared state and handed to the listeners. See
 * {@link SpendListener} for when they are called.
 *
 * <p>Thread-safe. Apart from the stores it remembers only which budgets it has seeded (and, with listeners, which it
 * changed since the last flush), so any number of instances agree.
 *
 * <pre>{@code
 * Budgets budgets = new Budgets(sharedState, database.keys(), InstantSource.system());
 * Budgets.View view = budgets.view(key);   // limit, spent, reserved, remaining this period
 * budgets.reset(key);                      // the current period starts again from zero
 * }</pre>
 */
public final class Budgets implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Budgets.class.getName());
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd");
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM");
    /** Longer than any period but a lifetime; a lifetime budget re-seeds only when shared state has forgotten it. */
    private static final Duration SEED_MARK = Duration.ofDays(400);

    private final SharedState state;
    private final KeyStore store;
    private final InstantSource clock;
    /** Budgets this process has seeded or seen seeded, so later calls skip the mark: one entry a key a period. */
    private final Set<String> seeded = ConcurrentHashMap.newKeySet();
    /** Makes this process's other callers wait for a seed under way; a lock, not synchronized: the seed does I/O. */
    private final ReentrantLock seeding = new ReentrantLock();
    private final SpendLedger ledger;
    private final List<SpendListener> listeners;
    /** Budgets settled since the listeners were last told, by budget key; only used with listeners. */
    private final Map<String, Hold> changed = new ConcurrentHashMap<>();

    public Budgets(SharedState state, KeyStore store, InstantSource clock) {
        this(state, store, clock, SpendLedger.DEFAULT_INTERVAL, List.of());
    }

    /** @param listeners told of each key's period spend, see {@link SpendListener} */
    public Budgets(SharedState state, KeyStore store, InstantSource clock, List<SpendListener> listeners) {
        this(state, store, clock, SpendLedger.DEFAULT_INTERVAL, listeners);
    }

    /** @param flushInterval how often settled spend is written to the durable store */
    public Budgets(SharedState state, KeyStore store, InstantSource clock, Duration flushInterval) {
        this(state, store, clock, flushInterval, List.of());
    }

    /**
     * @param flushInterval how often settled spend is written to the durable store, and listeners are told of it
     * @param listeners     told of each key's period spend, see {@link SpendListener}
     */
    public Budgets(SharedState state, KeyStore store, InstantSource clock, Duration flushInterval,
                   List<SpendListener> listeners) {
        this.state = Objects.requireNonNull(state, "state");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listeners = List.copyOf(listeners);
        this.ledger = new SpendLedger(store, flushInterval, this::tellListeners);
    }

    /** Writes settled spend that is still pending to the durable store now, and tells the spend listeners. */
    public void flush() {
        ledger.flush();
    }

    /** Stops the background writer after writing what is pending. */
    @Override
    public void close() {
        ledger.close();
    }

    /** A key's budget this period, as the admin API shows it. */
    public record View(OptionalLong limitMicros, long spentMicros, long reservedMicros, BudgetPeriod period,
                       String periodKey) {
        public View {
            Objects.requireNonNull(limitMicros, "limitMicros");
            Objects.requireNonNull(period, "period");
            Objects.requireNonNull(periodKey, "periodKey");
        }

        /** What is left under the limit, never negative; empty when the key has no budget. */
        public OptionalLong remainingMicros() {
            return limitMicros.isPresent()
                    ? OptionalLong.of(Math.max(0, limitMicros.getAsLong() - spentMicros - reservedMicros))
                    : OptionalLong.empty();
        }
    }

    /** The period key of {@code period} at {@code at}, in UTC. */
    public static String periodKey(BudgetPeriod period, Instant at) {
        ZonedDateTime utc = at.atZone(ZoneOffset.UTC);
        return switch (period) {
            case DAILY -> DAY.format(utc);
            case WEEKLY -> String.format("%d-W%02d", utc.get(IsoFields.WEEK_BASED_YEAR),
                    utc.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case MONTHLY -> MONTH.format(utc);
            case LIFETIME -> "lifetime";
        };
    }

    /** The key's current period key, by the clock. */
    public String periodKey(VirtualKey key) {
        return periodKey(key.period(), clock.instant());
    }

    static String budgetKey(VirtualKey key, String periodKey) {
        return "budget:" + key.id().value() + ":" + periodKey;
    }

    /** The key's budget this period: the shared totals (seeded from the durable spend when shared state has none). */
    public View view(VirtualKey key) {
        String periodKey = periodKey(key);
        String budgetKey = budgetKey(key, periodKey);
        seed(key, periodKey, budgetKey);
        BudgetState budget = state.budget(budgetKey);
        return new View(key.budgetMicros(), budget.spentMicros(), budget.reservedMicros(), key.period(), periodKey);
    }

    /** Starts the key's current period again from zero, in shared state and in the durable store. */
    public void reset(VirtualKey key) {
        String periodKey = periodKey(key);
        String budgetKey = budgetKey(key, periodKey);
        ledger.discard(key.id(), periodKey);
        store.resetSpend(key.id(), periodKey);
        state.resetBudget(budgetKey);
        // nothing durable is left to seed from, and the mark keeps a later first call from looking
        state.set(seedMark(budgetKey), "1", Optional.of(SEED_MARK));
        seeded.add(budgetKey);
        if (!listeners.isEmpty()) {
            changed.remove(budgetKey);
            tell(new KeySpend(key.id(), key.name(), key.period(), periodKey, 0, key.budgetMicros()));
        }
    }

    /** Reserves {@code micros} against the key's budget this period; the hold knows its period. */
    Hold reserve(VirtualKey key, long micros, long limitMicros) {
        String periodKey = periodKey(key);
        String budgetKey = budgetKey(key, periodKey);
        seed(key, periodKey, budgetKey);
        return new Hold(key, periodKey, state.reserve(budgetKey, micros, limitMicros));
    }

    /** Settles a granted hold with the actual cost: in shared state now, in the durable store behind the request. */
    void settle(Hold hold, long actualMicros) {
        state.settle(hold.reservation(), actualMicros);
        ledger.add(hold.key().id(), hold.periodKey(), actualMicros);
        if (actualMicros > 0 && !listeners.isEmpty()) {
            changed.put(hold.reservation().budgetKey(), hold);
        }
    }

    void release(Hold hold) {
        state.release(hold.reservation());
    }

    private void seed(VirtualKey key, String periodKey, String budgetKey) {
        if (seeded.contains(budgetKey)) {
            return;
        }
        seeding.lock();
        try {
            if (seeded.contains(budgetKey)) {
                return;
            }
            if (state.setIfAbsent(seedMark(budgetKey), "1", SEED_MARK)
                    && state.budget(budgetKey).equals(BudgetState.EMPTY)) {
                long durable = store.spend(key.id(), periodKey);
                if (durable > 0) {
                    Reservation seed = state.reserve(budgetKey, 0, Long.MAX_VALUE);
                    state.settle(seed, durable);
                }
            }
            seeded.add(budgetKey);
        } finally {
            seeding.unlock();
        }
    }

    /** Reads each budget changed since the last call once from shared state and tells the listeners its total. */
    private void tellListeners() {
        for (String budgetKey : changed.keySet()) {
            Hold hold = changed.remove(budgetKey);
            if (hold == null) {
                continue;
            }
            VirtualKey key = hold.key();
            long spent;
            try {
                spent = state.budget(budgetKey).spentMicros();
            } catch (RuntimeException e) {
                // the next settle against this budget notes it again
                LOG.log(System.Logger.Level.WARNING, "reading the budget of key " + key.id().value()
                        + " for the spend listeners failed", e);
                continue;
            }
            tell(new KeySpend(key.id(), key.name(), key.period(), hold.periodKey(), spent, key.budgetMicros()));
        }
    }

    private void tell(KeySpend spend) {
        for (SpendListener listener : listeners) {
            try {
                listener.onSpend(spend);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "spend listener " + listener.getClass().getName()
                        + " failed", e);
            }
        }
    }

    private static String seedMark(String budgetKey) {
        return "budget-seeded:" + budgetKey;
    }

    /** A granted or denied reservation, with the key and period it was made for. */
    record Hold(VirtualKey key, String periodKey, Reservation reservation) {
    }
}
