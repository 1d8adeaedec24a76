package dev.smartflow.core.spi;

import dev.smartflow.core.error.StateUnavailable;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Shared hot state: the small, Redis-shaped store behind counters, rate windows, budget reservations, cache entries
 * and invalidation messages. {@code InMemorySharedState} serves one process; {@code RedisSharedState} lets several
 * gateway instances share one state.
 *
 * <ul>
 *   <li><b>Strings and hashes</b> with optional TTLs, and atomic increments.
 *   <li><b>Budgets</b>: {@link #reserve} an estimated cost before a call, {@link #settle} the actual cost after it,
 *       {@link #release} when the call never happened. Reservations that are never settled expire after their hold.
 *   <li><b>Rate windows</b>: {@link #hit} counts weighted hits in a sliding window and says when to retry.
 *   <li><b>Pub/sub</b>: fire-and-forget messages to every instance subscribed to a channel.
 * </ul>
 *
 * <pre>{@code
 * Reservation hold = state.reserve("key:team-a:2026-11", estimateMicros, limitMicros);
 * if (!hold.granted()) {
 *     throw new BudgetExceeded(hold.remainingMicros());
 * }
 * try {
 *     Response response = chain.proceed(exchange);
 *     state.settle(hold, costMicros(response));
 *     return response;
 * } catch (RuntimeException e) {
 *     state.release(hold);
 *     throw e;
 * }
 *
 * WindowDecision rpm = state.hit("rpm:key-123", Duration.ofMinutes(1), 600, 1);
 * if (!rpm.admitted()) {
 *     throw new RateLimited(rpm.retryAfter());
 * }
 * }</pre>
 *
 * <p><b>Contract.</b> Implementations are thread-safe and meant to be shared by every caller in the process. Every
 * method is atomic: its effect is seen by other callers (and, for a shared implementation, other processes) either
 * completely or not at all; the budget and window operations are atomic as a whole, check and update included. Calls
 * block until the store answers; run them on virtual threads. Nothing accepts or returns {@code null}. Keys and
 * channels are plain strings; implementations may prefix them, and strings, hashes, budgets and windows live in
 * separate namespaces (a budget named {@code x} never collides with a string named {@code x}). A string or hash key
 * used as the other kind, or a non-integer value incremented, fails with {@link IllegalStateException}. After
 * {@link #close()} every call fails with {@link IllegalStateException}. TTLs, holds and windows have millisecond
 * resolution or better.
 *
 * <p><b>Failures of the backing store.</b> Every call is bounded in time: when the store does not answer within the
 * implementation's timeout, or cannot be reached at all, the call fails with {@link StateUnavailable} (HTTP 503 if it
 * reaches a caller) and never with a client library's exception. Nothing is queued while the store is unreachable, and
 * a call that failed is never sent again later: a call refused for want of a connection had no effect; one that timed
 * out after it was sent may have taken effect, as with any remote call, but only then. Callers choose what an outage
 * means for them (budgets and rate limits: refuse, or count locally); {@link #reachable()} tells readiness checks
 * without waiting. Messages published while the store is unreachable are lost (pub/sub is at most once anyway);
 * subscriptions resume when it answers again.
 *
 * <p>Money is a {@code long} of micro-USD. Budgets and windows are named by the caller, who puts the period into the
 * name when the budget resets (e.g. {@code key:abc:2026-11}).
 */
public interface SharedState extends AutoCloseable {
    /** How long {@link #reserve(String, long, long)} holds a reservation that is never settled or released. */
    Duration DEFAULT_HOLD = Duration.ofMinutes(10);

    // --- strings

    /** The string at {@code key}, empty when absent or expired. */
    Optional<String> get(String key);

    /** Stores {@code value} at {@code key}, replacing any value and TTL; expires after {@code ttl} when present. */
    void set(String key, String value, Optional<Duration> ttl);

    /** Stores {@code value} with a TTL only when {@code key} is absent; true when it was stored. */
    boolean setIfAbsent(String key, String value, Duration ttl);

    /** Removes {@code key} (a string or a hash); true when it existed. */
    boolean delete(String key);

    /**
     * Adds {@code delta} to the integer at {@code key}, treating an absent key as 0, and returns the new value. When
     * this call creates the key and {@code ttlWhenCreated} is present, the key expires after it; an existing key keeps
     * its TTL (a fixed-window counter).
     */
    long increment(String key, long delta, Optional<Duration> ttlWhenCreated);

    // --- hashes

    /** Every field of the hash at {@code key}; empty when absent. */
    Map<String, String> hashGetAll(String key);

    /** Sets one field of the hash at {@code key}, creating the hash when absent (without a TTL). */
    void hashPut(String key, String field, String value);

    /** Adds {@code delta} to one integer field of the hash at {@code key} (absent counts as 0); the new value. */
    long hashIncrement(String key, String field, long delta);

    /**
     * Adds {@code delta} to one integer field of the hash at {@code key} (absent counts as 0) only when the result
     * stays within {@code limit}: the new value, or empty when it would go over (and nothing changed). The check and
     * the update are one atomic step, so concurrent callers against one limit never pass it together: what per-run
     * step caps and run budgets count with. A negative {@code delta} (giving back) is admitted whenever the result is
     * within the limit.
     */
    OptionalLong hashIncrementWithin(String key, String field, long delta, long limit);

    /** One field of the hash at {@code key}; empty when the hash or the field is absent. */
    Optional<String> hashGet(String key, String field);

    /**
     * Removes one field of the hash at {@code key}; true when it existed. A hash left without fields no longer exists
     * (as in Redis): {@link #hashGetAll} is empty and its TTL is gone.
     */
    boolean hashRemove(String key, String field);

    // --- TTLs

    /** The time left before {@code key} (a string or a hash) expires; empty when absent or without a TTL. */
    Optional<Duration> ttl(String key);

    /** Makes {@code key} (a string or a hash) expire after {@code ttl}; false when the key is absent. */
    boolean expire(String key, Duration ttl);

    // --- budgets

    /** {@link #reserve(String, long, long, Duration)} with the {@link #DEFAULT_HOLD}. */
    default Reservation reserve(String budgetKey, long micros, long limitMicros) {
        return reserve(budgetKey, micros, limitMicros, DEFAULT_HOLD);
    }

    /**
     * Atomically reserves {@code micros} against a budget: granted when spent + reserved + {@code micros} stays within
     * {@code limitMicros}, in which case the amount counts as reserved until settled, released, or {@code hold} has
     * passed; expired holds are dropped before the check. A denial changes nothing.
     *
     * @throws IllegalArgumentException when an amount is negative or {@code hold} is not positive
     */
    Reservation reserve(String budgetKey, long micros, long limitMicros, Duration hold);

    /**
     * Closes a granted reservation with the actual cost: its hold leaves {@code reserved} and {@code actualMicros}
     * (more or less than reserved) is added to {@code spent}. The actual cost is recorded even when the hold has
     * already expired. Call it at most once per reservation (a second call adds the cost again).
     *
     * @throws IllegalArgumentException when the reservation was denied or {@code actualMicros} is negative
     */
    void settle(Reservation reservation, long actualMicros);

    /** Drops a reservation's hold without spending; no effect when it was denied, released, settled or expired. */
    void release(Reservation reservation);

    /** The budget's spent and open reserved amounts (expired holds excluded); zeros when unknown. */
    BudgetState budget(String budgetKey);

    /** Forgets a budget: spent, reserved and open holds. */
    void resetBudget(String budgetKey);

    // --- rate windows

    /** A rate window is counted in this many steps of {@code window / WINDOW_STEPS} each. */
    int WINDOW_STEPS = 60;

    /**
     * Atomically counts a hit of weight {@code cost} in the sliding window {@code key}: admitted when the weight of
     * the hits admitted during the last {@code window} plus {@code cost} stays within {@code limit}. A denied hit is
     * not counted. A zero cost reads the current usage. Use one window length per key.
     *
     * <p>The window slides in {@link #WINDOW_STEPS} steps, not per hit: hits are summed per step of
     * {@code window / 60} (a second of a minute), and a hit leaves the window at the end of the step {@code window}
     * after its own, so between {@code window} and {@code window + window / 60} after it was counted. The window
     * thereby never admits more than the limit within any {@code window}, and keeps at most 60 counters per key
     * whatever the rate; the retry-after of a denied hit is when enough steps will have left.
     *
     * @throws IllegalArgumentException when {@code limit} or {@code cost} is negative or {@code window} not positive
     */
    WindowDecision hit(String key, Duration window, long limit, long cost);

    // --- pub/sub

    /**
     * Delivers every message later published on {@code channel} (by any instance) to {@code listener}, until the
     * returned subscription is closed. The subscription is active when this returns. Exceptions thrown by the
     * listener are logged, never propagated. Delivery may be asynchronous; listeners must not block for long.
     */
    Subscription subscribe(String channel, Consumer<String> listener);

    /** Sends {@code message} to the current subscribers of {@code channel}, at most once, without waiting for them. */
    void publish(String channel, String message);

    // --- health

    /**
     * Whether the backing store answers, as far as this instance knows: false from the moment a call failed with
     * {@link StateUnavailable} or the connection dropped, true again once the store answers. Never blocks and does no
     * I/O of its own on the caller's thread; meant for readiness checks, which may call it as often as they like. An
     * in-process implementation is always reachable until closed.
     */
    default boolean reachable() {
        return true;
    }

    /** Releases connections and listeners; idempotent. */
    @Override
    void close();

    /** An active subscription; closing it stops delivery to its listener and is idempotent. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
