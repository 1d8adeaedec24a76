package dev.smartflow.core.memory;

import dev.smartflow.core.Ticker;
import dev.smartflow.core.spi.BudgetState;
import dev.smartflow.core.spi.Reservation;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.WindowDecision;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A {@link SharedState} held in this process's memory: the embedded default, and the reference the contract suite
 * checks the shared implementations against.
 *
 * <pre>{@code
 * SharedState state = new InMemorySharedState();                            // system ticker, inline delivery
 * SharedState test = new InMemorySharedState(fakeClock, Runnable::run);     // time moves when the test says so
 * }</pre>
 *
 * <p>Thread-safe; every operation is atomic. Time is read only from the injected {@link Ticker}. Pub/sub listeners run
 * on the executor given to the constructor (inline on the publishing thread by default), outside the lock, so a
 * listener may call back into the store.
 */
public final class InMemorySharedState implements SharedState {
    /*
     * Design.
     *
     * One ReentrantLock guards every map. Operations are O(1) or O(log n) and never block inside the lock, so a single
     * lock costs less than the reasoning striping would need, and it makes the multi-step operations (reserve, hit,
     * increment-with-TTL) atomic for free. ReentrantLock, not synchronized: callers run on virtual threads.
     *
     * Time is the injected monotonic ticker, not wall time: every deadline here is relative (a TTL, a hold, a
     * window), and a monotonic source does not jump when the system clock is set. Deadlines are compared as
     * differences (now - deadline >= 0) so that any ticker origin works.
     *
     * Expiry is lazy, as in Redis: a key, hold or window entry past its deadline is dropped when an operation touches
     * it. Keys nobody touches again are dropped by a sweep that runs inside an ordinary operation at most once per
     * SWEEP_INTERVAL of ticker time, so there is no background thread and memory stays bounded by live state.
     *
     * Budgets. A budget is (spent, reserved) plus its open holds, ordered by deadline in a TreeSet and indexed by id.
     * reserve() first drops the holds whose deadline has passed (subtracting them from reserved), then checks
     * spent + reserved + micros <= limit. So a reservation whose caller crashed frees its amount after its hold, the
     * next time anyone reserves or reads the budget. settle() removes the hold if it is still open and adds the actual
     * cost to spent either way, because money spent after a hold expired was still spent.
     *
     * Windows are rings of WINDOW_STEPS per-step weights (SharedState.hit says what that means for callers). They
     * replaced a sliding log of one (timestamp, cost) entry per admitted hit, which was exact but, measured at 9k
     * req/s with an rpm and a tpm limit, kept ~700k entries alive for a minute: the largest live structure in the
     * heap, promoted to the old generation and lengthening every young pause. A ring is two arrays per key and a
     * hit is an add; when denied, the steps are walked oldest first until enough weight would have left, and that
     * step's end is the retry-after.
     */
    private static final System.Logger LOG = System.getLogger(InMemorySharedState.class.getName());
    private static final long SWEEP_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

    private final Ticker ticker;
    private final Executor listenerExecutor;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Entry> entries = new HashMap<>();
    private final Map<String, Budget> budgets = new HashMap<>();
    private final Map<String, Window> windows = new HashMap<>();
    private final Map<String, List<Consumer<String>>> channels = new ConcurrentHashMap<>();
    private long lastSweep;
    private long holdSequence;
    private volatile boolean closed;

    /** A store on the system ticker that delivers published messages inline, on the publishing thread. */
    public InMemorySharedState() {
        this(Ticker.system(), Runnable::run);
    }

    /**
     * @param ticker           the time source for TTLs, holds and windows
     * @param listenerExecutor runs each delivery of a published message; {@code Runnable::run} delivers inline
     */
    public InMemorySharedState(Ticker ticker, Executor listenerExecutor) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.listenerExecutor = Objects.requireNonNull(listenerExecutor, "listenerExecutor");
        this.lastSweep = ticker.nanos();
    }

    @Override
    public Optional<String> get(String key) {
        Objects.requireNonNull(key, "key");
        return locked(now -> {
            Entry entry = live(key, now);
            return entry == null ? Optional.empty() : Optional.of(entry.string(key));
        });
    }

    @Override
    public void set(String key, String value, Optional<Duration> ttl) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(ttl, "ttl");
        ttl.ifPresent(InMemorySharedState::requirePositive);
        locked(now -> entries.put(key, ttl.map(t -> Entry.expiring(value, deadline(now, t)))
                .orElseGet(() -> Entry.persistent(value))));
    }

    @Override
    public boolean setIfAbsent(String key, String value, Duration ttl) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        requirePositive(ttl);
        return locked(now -> {
            if (live(key, now) != null) {
                return false;
            }
            entries.put(key, Entry.expiring(value, deadline(now, ttl)));
            return true;
        });
    }

    @Override
    public boolean delete(String key) {
        Objects.requireNonNull(key, "key");
        return locked(now -> live(key, now) != null && entries.remove(key) != null);
    }

    @Override
    public long increment(String key, long delta, Optional<Duration> ttlWhenCreated) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(ttlWhenCreated, "ttlWhenCreated");
        ttlWhenCreated.ifPresent(InMemorySharedState::requirePositive);
        return locked(now -> {
            Entry entry = live(key, now);
            if (entry == null) {
                String created = Long.toString(delta);
                entries.put(key, ttlWhenCreated.map(t -> Entry.expiring(created, deadline(now, t)))
                        .orElseGet(() -> Entry.persistent(created)));
                return delta;
            }
            long value = add(parse(entry.string(key), key), delta, key);
            entry.value = Long.toString(value);
            return value;
        });
    }

    @Override
    public Map<String, String> hashGetAll(String key) {
        Objects.requireNonNull(key, "key");
        return locked(now -> {
            Entry entry = live(key, now);
            return entry == null ? Map.of() : Map.copyOf(entry.hash(key));
        });
    }

    @Override
    public void hashPut(String key, String field, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(value, "value");
        locked(now -> liveHash(key, now).put(field, value));
    }

    @Override
    public long hashIncrement(String key, String field, long delta) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(field, "field");
        return locked(now -> {
            Map<String, String> hash = liveHash(key, now);
            String current = hash.get(field);
            long value = current == null ? delta : add(parse(current, key), delta, key);
            hash.put(field, Long.toString(value));
            return value;
        });
    }

    @Override
    public OptionalLong hashIncrementWithin(String key, String field, long delta, long limit) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(field, "field");
        return locked(now -> {
            Entry entry = live(key, now);
            String current = entry == null ? null : entry.hash(key).get(field);
            long value = current == null ? delta : add(parse(current, key), delta, key);
            if (value > limit) {
                return OptionalLong.empty();
            }
            liveHash(key, now).put(field, Long.toString(value));
            return OptionalLong.of(value);
        });
    }

    @Override
    public Optional<String> hashGet(String key, String field) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(field, "field");
        return locked(now -> {
            Entry entry = live(key, now);
            return entry == null ? Optional.<String>empty() : Optional.ofNullable(entry.hash(key).get(field));
        });
    }

    @Override
    public boolean hashRemove(String key, String field) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(field, "field");
        return locked(now -> {
            Entry entry = live(key, now);
            if (entry == null) {
                return false;
            }
            Map<String, String> hash = entry.hash(key);
            boolean existed = hash.remove(field) != null;
            if (hash.isEmpty()) {
                entries.remove(key);
            }
            return existed;
        });
    }

    @Override
    public Optional<Duration> ttl(String key) {
        Objects.requireNonNull(key, "key");
        return locked(now -> {
            Entry entry = live(key, now);
            if (entry == null || !entry.expires) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos(entry.deadline - now));
        });
    }

    @Override
    public boolean expire(String key, Duration ttl) {
        Objects.requireNonNull(key, "key");
        requirePositive(ttl);
        return locked(now -> {
            Entry entry = live(key, now);
            if (entry == null) {
                return false;
            }
            entry.expires = true;
            entry.deadline = deadline(now, ttl);
            return true;
        });
    }

    @Override
    public Reservation reserve(String budgetKey, long micros, long limitMicros, Duration hold) {
        Objects.requireNonNull(budgetKey, "budgetKey");
        requireNotNegative(micros, "micros");
        requireNotNegative(limitMicros, "limitMicros");
        requirePositive(hold);
        return locked(now -> {
            Budget budget = budgets.computeIfAbsent(budgetKey, k -> new Budget());
            budget.dropExpiredHolds(now);
            long committed = budget.spent + budget.reserved;
            if (micros > limitMicros - committed) {
                return Reservation.denied(budgetKey, micros, limitMicros, committed);
            }
            Hold opened = new Hold("h" + ++holdSequence, micros, deadline(now, hold));
            budget.open(opened);
            return Reservation.granted(budgetKey, opened.id, micros, limitMicros, committed + micros);
        });
    }

    @Override
    public void settle(Reservation reservation, long actualMicros) {
        Objects.requireNonNull(reservation, "reservation");
        if (!reservation.granted()) {
            throw new IllegalArgumentException("cannot settle a denied reservation of " + reservation.budgetKey());
        }
        requireNotNegative(actualMicros, "actualMicros");
        locked(now -> {
            Budget budget = budgets.computeIfAbsent(reservation.budgetKey(), k -> new Budget());
            budget.close(reservation.id());
            budget.spent = Math.addExact(budget.spent, actualMicros);
            return null;
        });
    }

    @Override
    public void release(Reservation reservation) {
        Objects.requireNonNull(reservation, "reservation");
        if (!reservation.granted()) {
            return;
        }
        locked(now -> {
            Budget budget = budgets.get(reservation.budgetKey());
            if (budget != null) {
                budget.close(reservation.id());
            }
            return null;
        });
    }

    @Override
    public BudgetState budget(String budgetKey) {
        Objects.requireNonNull(budgetKey, "budgetKey");
        return locked(now -> {
            Budget budget = budgets.get(budgetKey);
            if (budget == null) {
                return BudgetState.EMPTY;
            }
            budget.dropExpiredHolds(now);
            return new BudgetState(budget.spent, budget.reserved);
        });
    }

    @Override
    public void resetBudget(String budgetKey) {
        Objects.requireNonNull(budgetKey, "budgetKey");
        locked(now -> budgets.remove(budgetKey));
    }

    @Override
    public WindowDecision hit(String key, Duration window, long limit, long cost) {
        Objects.requireNonNull(key, "key");
        requirePositive(window);
        requireNotNegative(limit, "limit");
        requireNotNegative(cost, "cost");
        long windowNanos = nanos(window);
        return locked(now -> {
            Window counts = windows.get(key);
            if (counts == null || counts.windowNanos != windowNanos) {
                counts = new Window(windowNanos);
                windows.put(key, counts);
            }
            long current = counts.bucket(now);
            long used = counts.used(current);
            if (cost <= limit - used) {
                counts.add(current, cost);
                return WindowDecision.admitted(used + cost, limit);
            }
            return WindowDecision.denied(used, limit, counts.retryAfter(now, current, used, cost, limit));
        });
    }

    @Override
    public Subscription subscribe(String channel, Consumer<String> listener) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        Consumer<String> registered = listener::accept; // a distinct instance, so removal removes only this one
        channels.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(registered);
        return () -> {
            List<Consumer<String>> listeners = channels.get(channel);
            if (listeners != null) {
                listeners.remove(registered);
            }
        };
    }

    @Override
    public void publish(String channel, String message) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(message, "message");
        requireOpen();
        for (Consumer<String> listener : channels.getOrDefault(channel, List.of())) {
            try {
                listenerExecutor.execute(() -> deliver(channel, listener, message));
            } catch (RejectedExecutionException e) {
                LOG.log(System.Logger.Level.WARNING, "message on channel " + channel + " not delivered", e);
            }
        }
    }

    /** Always, until closed: there is nothing to reach. */
    @Override
    public boolean reachable() {
        return !closed;
    }

    @Override
    public void close() {
        closed = true;
        channels.clear();
    }

    private static void deliver(String channel, Consumer<String> listener, String message) {
        try {
            listener.accept(message);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "listener on channel " + channel + " failed", e);
        }
    }

    private <T> T locked(Operation<T> operation) {
        requireOpen();
        lock.lock();
        try {
            long now = ticker.nanos();
            if (now - lastSweep >= SWEEP_INTERVAL_NANOS) {
                sweep(now);
            }
            return operation.apply(now);
        } finally {
            lock.unlock();
        }
    }

    private void sweep(long now) {
        lastSweep = now;
        entries.values().removeIf(entry -> entry.expired(now));
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
            Window window = it.next();
            if (window.empty(window.bucket(now))) {
                it.remove();
            }
        }
        budgets.values().forEach(budget -> budget.dropExpiredHolds(now));
    }

    private Entry live(String key, long now) {
        Entry entry = entries.get(key);
        if (entry != null && entry.expired(now)) {
            entries.remove(key);
            return null;
        }
        return entry;
    }

    private Map<String, String> liveHash(String key, long now) {
        Entry entry = live(key, now);
        if (entry == null) {
            entry = Entry.persistent(new HashMap<String, String>());
            entries.put(key, entry);
        }
        return entry.hash(key);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("shared state is closed");
        }
    }

    private static long deadline(long now, Duration ttl) {
        return now + nanos(ttl);
    }

    private static long nanos(Duration duration) {
        // Durations beyond ~292 years saturate; keeping a margin lets now + nanos not overflow either.
        return duration.compareTo(Duration.ofDays(365L * 100)) > 0 ? Long.MAX_VALUE / 4 : duration.toNanos();
    }

    private static long parse(String value, String key) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("value at " + key + " is not an integer");
        }
    }

    private static long add(long value, long delta, String key) {
        try {
            return Math.addExact(value, delta);
        } catch (ArithmeticException e) {
            throw new IllegalStateException("increment of " + key + " would overflow");
        }
    }

    private static void requirePositive(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive: " + duration);
        }
    }

    private static void requireNotNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
    }

    @FunctionalInterface
    private interface Operation<T> {
        T apply(long now);
    }

    /** A string or a hash, and its deadline when it {@code expires}. */
    private static final class Entry {
        Object value;
        boolean expires;
        long deadline;

        private Entry(Object value, boolean expires, long deadline) {
            this.value = value;
            this.expires = expires;
            this.deadline = deadline;
        }

        static Entry persistent(Object value) {
            return new Entry(value, false, 0);
        }

        static Entry expiring(Object value, long deadline) {
            return new Entry(value, true, deadline);
        }

        boolean expired(long now) {
            return expires && now - deadline >= 0;
        }

        String string(String key) {
            if (value instanceof String string) {
                return string;
            }
            throw new IllegalStateException("key " + key + " holds a hash, not a string");
        }

        @SuppressWarnings("unchecked")
        Map<String, String> hash(String key) {
            if (value instanceof Map<?, ?> hash) {
                return (Map<String, String>) hash;
            }
            throw new IllegalStateException("key " + key + " holds a string, not a hash");
        }
    }

    private record Hold(String id, long micros, long deadline) {
    }

    private static final class Budget {
        final Map<String, Hold> holds = new HashMap<>();
        final TreeSet<Hold> byDeadline = new TreeSet<>((a, b) -> a.deadline != b.deadline
                ? Long.compare(a.deadline, b.deadline) : a.id.compareTo(b.id));
        long spent;
        long reserved;

        void open(Hold hold) {
            holds.put(hold.id, hold);
            byDeadline.add(hold);
            reserved += hold.micros;
        }

        void close(String id) {
            Hold hold = holds.remove(id);
            if (hold != null) {
                byDeadline.remove(hold);
                reserved -= hold.micros;
            }
        }

        void dropExpiredHolds(long now) {
            while (!byDeadline.isEmpty() && now - byDeadline.first().deadline >= 0) {
                close(byDeadline.first().id);
            }
        }
    }

    /**
     * A sliding window counted in {@link SharedState#WINDOW_STEPS} steps: a ring of per-step weights, so a hit costs
     * one add and no allocation however many hits the window holds.
     */
    private static final class Window {
        final long windowNanos;
        final long stepNanos;
        final long[] step;   // the step number each slot holds
        final long[] weight; // its weight

        Window(long windowNanos) {
            this.windowNanos = windowNanos;
            this.stepNanos = Math.max(1, windowNanos / SharedState.WINDOW_STEPS);
            int steps = (int) ((windowNanos + stepNanos - 1) / stepNanos);
            this.step = new long[steps];
            this.weight = new long[steps];
            Arrays.fill(step, Long.MIN_VALUE);
        }

        long bucket(long now) {
            return Math.floorDiv(now, stepNanos);
        }

        /** The weight of the steps still in the window at step {@code current}. */
        long used(long current) {
            long sum = 0;
            for (int i = 0; i < step.length; i++) {
                if (step[i] > current - step.length && step[i] <= current) {
                    sum += weight[i];
                }
            }
            return sum;
        }

        void add(long current, long cost) {
            if (cost == 0) {
                return;
            }
            int slot = (int) Math.floorMod(current, (long) step.length);
            if (step[slot] != current) {
                step[slot] = current;
                weight[slot] = 0;
            }
            weight[slot] += cost;
        }

        boolean empty(long current) {
            return used(current) == 0;
        }

        /** When enough weight will have left, oldest step first, for {@code cost} to fit. */
        Duration retryAfter(long now, long current, long used, long cost, long limit) {
            if (cost > limit) {
                return Duration.ofNanos(windowNanos);
            }
            long mustLeave = used + cost - limit;
            long left = 0;
            for (long b = current - step.length + 1; b <= current; b++) {
                int slot = (int) Math.floorMod(b, (long) step.length);
                if (step[slot] == b) {
                    left += weight[slot];
                    if (left >= mustLeave) {
                        return Duration.ofNanos((b + step.length) * stepNanos - now);
                    }
                }
            }
            return Duration.ofNanos(windowNanos);
        }
    }
}
