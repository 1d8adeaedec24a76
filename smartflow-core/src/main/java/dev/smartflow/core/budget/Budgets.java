package dev.smartflow.core.budget;

import dev.smartflow.core.error.StateUnavailable;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.BudgetState;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.Reservation;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.VirtualKey;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * <p><b>Outages of shared state.</b> A reservation that shared state cannot take ({@link StateUnavailable}) fails the
 * call with that 503 under {@link OutageMode#CLOSED}, the default. Under {@link OutageMode#OPEN} it is made in this
 * instance's own in-process budgets instead, seeded from the durable spend as shared state is; the spend settled there
 * is added to shared state by the first reservation that finds it answering again, and the next outage seeds afresh.
 * Settling or releasing never fails a call that was served: the cost always goes to the durable store, and what shared
 * state could not take is applied there once it answers (a settle that timed out after shared state took it is then
 * counted twice: budgets err towards refusing, never towards overspending).
 *
 * <p>Thread-safe. Apart from the stores it remembers only which budgets it has seeded (and, with listeners, which it
 * changed since the last flush; in an outage, what shared state still has to be told), so any number of instances
 * agree.
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
    private final OutageMode onOutage;
    private final OutageNotice notice = new OutageNotice("budgets");
    /** Where {@link OutageMode#OPEN} counts during an outage; a fresh one for each outage, seeded afresh. */
    private volatile Local local;
    /** Spend counted locally during an outage, by budget key, not yet added to shared state. */
    private final Map<String, Long> owed = new ConcurrentHashMap<>();
    /** Settles and releases of holds in shared state that it could not take, to apply once it answers. */
    private final Queue<Deferred> deferred = new ConcurrentLinkedQueue<>();
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

    /**
     * @param listeners told of each key's period spend, see {@link SpendListener}
     * @param onOutage  what a reservation does while shared state is unreachable
     */
    public Budgets(SharedState state, KeyStore store, InstantSource clock, List<SpendListener> listeners,
                   OutageMode onOutage) {
        this(state, store, clock, SpendLedger.DEFAULT_INTERVAL, listeners, onOutage);
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
        this(state, store, clock, flushInterval, listeners, OutageMode.CLOSED);
    }

    /**
     * @param flushInterval how often settled spend is written to the durable store, and listeners are told of it
     * @param listeners     told of each key's period spend, see {@link SpendListener}
     * @param onOutage      what a reservation does while shared state is unreachable
     */
    public Budgets(SharedState state, KeyStore store, InstantSource clock, Duration flushInterval,
                   List<SpendListener> listeners, OutageMode onOutage) {
        this.state = Objects.requireNonNull(state, "state");
        this.onOutage = Objects.requireNonNull(onOutage, "onOutage");
        this.local = onOutage == OutageMode.OPEN ? new Local() : null;
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

    /**
     * A key's budget this period, as the admin API shows it.
     *
     * @param periodStart when the period began (see {@link #periodStart(VirtualKey, Instant)})
     */
    public record View(OptionalLong limitMicros, long spentMicros, long reservedMicros, BudgetPeriod period,
                       String periodKey, Instant periodStart) {
        public View {
            Objects.requireNonNull(limitMicros, "limitMicros");
            Objects.requireNonNull(period, "period");
            Objects.requireNonNull(periodKey, "periodKey");
            Objects.requireNonNull(periodStart, "periodStart");
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

    /**
     * When the budget period of {@code key} that holds {@code at} began, in UTC: midnight of the day, of the ISO week's
     * Monday or of the month's first day; a lifetime budget began when the key was made.
     */
    public static Instant periodStart(VirtualKey key, Instant at) {
        ZonedDateTime day = at.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
        return switch (key.period()) {
            case DAILY -> day.toInstant();
            case WEEKLY -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toInstant();
            case MONTHLY -> day.withDayOfMonth(1).toInstant();
            case LIFETIME -> key.createdAt();
        };
    }

    /** When the key's current budget period began, by the clock (see {@link #periodStart(VirtualKey, Instant)}). */
    public Instant periodStart(VirtualKey key) {
        return periodStart(key, clock.instant());
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
        Instant now = clock.instant();
        String periodKey = periodKey(key.period(), now);
        String budgetKey = budgetKey(key, periodKey);
        seed(state, seeded, key, periodKey, budgetKey);
        BudgetState budget = state.budget(budgetKey);
        return new View(key.budgetMicros(), budget.spentMicros(), budget.reservedMicros(), key.period(), periodKey,
                periodStart(key, now));
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

    /**
     * Reserves {@code micros} against the key's budget this period; the hold knows its period and where it was made.
     *
     * @throws StateUnavailable when shared state is unreachable and the outage mode is {@link OutageMode#CLOSED}
     */
    Hold reserve(VirtualKey key, long micros, long limitMicros) {
        String periodKey = periodKey(key);
        String budgetKey = budgetKey(key, periodKey);
        Hold hold;
        try {
            seed(state, seeded, key, periodKey, budgetKey);
            hold = new Hold(key, periodKey, state, state.reserve(budgetKey, micros, limitMicros));
        } catch (StateUnavailable e) {
            if (onOutage == OutageMode.CLOSED) {
                throw e;
            }
            notice.countingLocally(e);
            Local fallback = local;
            seed(fallback.state(), fallback.seeded(), key, periodKey, budgetKey);
            return new Hold(key, periodKey, fallback.state(), fallback.state().reserve(budgetKey, micros,
                    limitMicros));
        }
        if (notice.sharedAgain()) {
            local = new Local();
        }
        if (!owed.isEmpty() || !deferred.isEmpty()) {
            catchUp();
        }
        return hold;
    }

    /**
     * Settles a granted hold with the actual cost: where it was reserved now, in the durable store behind the request.
     * Never fails for want of shared state: the call was served, and its cost is recorded durably whatever happens.
     */
    void settle(Hold hold, long actualMicros) {
        String budgetKey = hold.reservation().budgetKey();
        if (hold.state() != state) {
            hold.state().settle(hold.reservation(), actualMicros);
            // with the seed's lock: a seed of shared state copies in either both or neither (see seed)
            seeding.lock();
            try {
                ledger.add(hold.key().id(), hold.periodKey(), actualMicros);
                if (actualMicros > 0) {
                    owed.merge(budgetKey, actualMicros, Long::sum);
                }
            } finally {
                seeding.unlock();
            }
        } else {
            ledger.add(hold.key().id(), hold.periodKey(), actualMicros);
            try {
                state.settle(hold.reservation(), actualMicros);
            } catch (StateUnavailable e) {
                defer(new Deferred(hold.reservation(), OptionalLong.of(actualMicros)), e);
            }
        }
        if (actualMicros > 0 && !listeners.isEmpty()) {
            changed.put(budgetKey, hold);
        }
    }

    /** Drops a hold without spending; like {@link #settle}, never fails for want of shared state. */
    void release(Hold hold) {
        try {
            hold.state().release(hold.reservation());
        } catch (StateUnavailable e) {
            defer(new Deferred(hold.reservation(), OptionalLong.empty()), e);
        }
    }

    private void defer(Deferred action, StateUnavailable cause) {
        deferred.add(action);
        LOG.log(System.Logger.Level.DEBUG, () -> "shared state could not take the end of a call against "
                + action.reservation().budgetKey() + "; applying it once it answers: " + cause.getMessage());
    }

    /**
     * Tells shared state, now that it answers again, what it missed: the spend counted locally, and the settles and
     * releases it could not take. What fails again waits for the next reservation.
     */
    private void catchUp() {
        for (String budgetKey : owed.keySet()) {
            Long micros = owed.remove(budgetKey);
            if (micros == null) {
                continue;
            }
            try {
                state.settle(state.reserve(budgetKey, 0, Long.MAX_VALUE), micros);
            } catch (StateUnavailable e) {
                owed.merge(budgetKey, micros, Long::sum);
                return;
            }
        }
        for (Deferred action; (action = deferred.poll()) != null; ) {
            try {
                if (action.settleMicros().isPresent()) {
                    state.settle(action.reservation(), action.settleMicros().getAsLong());
                } else {
                    state.release(action.reservation());
                }
            } catch (StateUnavailable e) {
                deferred.add(action);
                return;
            }
        }
    }

    /**
     * Copies the durable spend into {@code into} before its first reservation against the budget (see the class
     * comment), with what this instance has yet to write there. A seed of shared state thus copies in what this
     * instance counted locally during an outage, which is then not added again.
     */
    private void seed(SharedState into, Set<String> done, VirtualKey key, String periodKey, String budgetKey) {
        if (done.contains(budgetKey)) {
            return;
        }
        seeding.lock();
        try {
            if (done.contains(budgetKey)) {
                return;
            }
            if (into.setIfAbsent(seedMark(budgetKey), "1", SEED_MARK)
                    && into.budget(budgetKey).equals(BudgetState.EMPTY)) {
                long durable = ledger.total(key.id(), periodKey);
                if (durable > 0) {
                    Reservation seed = into.reserve(budgetKey, 0, Long.MAX_VALUE);
                    into.settle(seed, durable);
                }
                if (into == state) {
                    owed.remove(budgetKey);
                }
            }
            done.add(budgetKey);
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
            } catch (StateUnavailable e) {
                // the rest would fail alike: all are told after a flush that finds shared state answering again
                changed.putIfAbsent(budgetKey, hold);
                return;
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

    /** A granted or denied reservation, with the key and period it was made for, and the state that holds it. */
    record Hold(VirtualKey key, String periodKey, SharedState state, Reservation reservation) {
    }

    /** This instance's own budgets for one outage, and which of them it has seeded. */
    private record Local(SharedState state, Set<String> seeded) {
        Local() {
            this(new InMemorySharedState(), ConcurrentHashMap.newKeySet());
        }
    }

    /** A settle ({@code settleMicros} present) or release that shared state could not take when the call ended. */
    private record Deferred(Reservation reservation, OptionalLong settleMicros) {
    }
}
