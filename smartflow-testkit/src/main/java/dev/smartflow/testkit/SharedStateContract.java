package dev.smartflow.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.spi.BudgetState;
import dev.smartflow.core.spi.Reservation;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.WindowDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link SharedState} must show. An implementation's test extends it, says how to make a fresh,
 * empty store and how to let time pass, and adds only what is specific to the implementation.
 *
 * <pre>{@code
 * class InMemorySharedStateTest extends SharedStateContract {
 *     private final FakeClock clock = new FakeClock();
 *
 *     protected SharedState create() { return new InMemorySharedState(clock, Runnable::run); }
 *     protected void advance(Duration duration) { clock.advance(duration); }
 * }
 * }</pre>
 *
 * <p>TTLs, holds and windows in these tests are short ({@link #SHORT}), so that an implementation on a real server can
 * implement {@link #advance} by sleeping; such an implementation also widens {@link #timingTolerance()}, because real
 * time passes between the calls of a test.
 */
public abstract class SharedStateContract {
    /** The TTL, hold and window length of the expiry cases. */
    protected static final Duration SHORT = Duration.ofMillis(300);
    private static final Duration LONG = Duration.ofMinutes(10);
    private static final int THREADS = 200;

    /** The store under test, made by {@link #create()} before each test and closed after it. */
    protected SharedState state;

    /** A new store that sees no state left by earlier tests. */
    protected abstract SharedState create();

    /** Lets {@code duration} pass for the store: moves a fake clock, or sleeps a little longer for a real server. */
    protected abstract void advance(Duration duration);

    /** How much earlier than exact a reported TTL or retry-after may be; zero under a fake clock. */
    protected Duration timingTolerance() {
        return Duration.ZERO;
    }

    @BeforeEach
    void createState() {
        state = create();
    }

    @AfterEach
    void closeState() {
        state.close();
    }

    // --- strings

    @Test
    void getOfAnAbsentKeyIsEmpty() {
        assertEquals(Optional.empty(), state.get("absent"));
    }

    @Test
    void setStoresAValueThatGetReturns() {
        state.set("greeting", "hello", Optional.empty());

        assertEquals(Optional.of("hello"), state.get("greeting"));
    }

    @Test
    void setReplacesTheValueAndItsTtl() {
        state.set("k", "first", Optional.of(SHORT));

        state.set("k", "second", Optional.empty());

        assertEquals(Optional.of("second"), state.get("k"));
        assertEquals(Optional.empty(), state.ttl("k"));
    }

    @Test
    void aValueSetWithATtlExpires() {
        state.set("k", "v", Optional.of(SHORT));

        advance(SHORT);

        assertEquals(Optional.empty(), state.get("k"));
    }

    @Test
    void setIfAbsentStoresOnlyTheFirstValue() {
        assertTrue(state.setIfAbsent("lock", "a", LONG));
        assertFalse(state.setIfAbsent("lock", "b", LONG));

        assertEquals(Optional.of("a"), state.get("lock"));
    }

    @Test
    void setIfAbsentSucceedsAgainOnceTheValueExpired() {
        state.setIfAbsent("lock", "a", SHORT);

        advance(SHORT);

        assertTrue(state.setIfAbsent("lock", "b", LONG));
        assertEquals(Optional.of("b"), state.get("lock"));
    }

    @Test
    void deleteRemovesAKeyAndReportsWhetherItExisted() {
        state.set("k", "v", Optional.empty());

        assertTrue(state.delete("k"));
        assertFalse(state.delete("k"));
        assertEquals(Optional.empty(), state.get("k"));
    }

    @Test
    void incrementCountsFromZeroAndReturnsTheNewValue() {
        assertEquals(5, state.increment("n", 5, Optional.empty()));
        assertEquals(3, state.increment("n", -2, Optional.empty()));

        assertEquals(Optional.of("3"), state.get("n"));
    }

    @Test
    void incrementWorksOnAValueThatWasSet() {
        state.set("n", "40", Optional.empty());

        assertEquals(42, state.increment("n", 2, Optional.empty()));
    }

    @Test
    void incrementSetsTheTtlOnlyWhenItCreatesTheKey() {
        state.increment("n", 1, Optional.of(SHORT));

        state.increment("n", 1, Optional.of(LONG));

        Duration ttl = state.ttl("n").orElseThrow();
        assertTrue(ttl.compareTo(SHORT) <= 0, "ttl kept from creation, was " + ttl);
    }

    @Test
    void aCounterCreatedWithATtlExpires() {
        state.increment("n", 7, Optional.of(SHORT));

        advance(SHORT);

        assertEquals(Optional.empty(), state.get("n"));
        assertEquals(1, state.increment("n", 1, Optional.empty()));
    }

    @Test
    void aCounterCreatedWithoutATtlHasNone() {
        state.increment("n", 1, Optional.empty());

        assertEquals(Optional.empty(), state.ttl("n"));
    }

    @Test
    void incrementOfANonIntegerFails() {
        state.set("word", "hello", Optional.empty());

        assertThrows(IllegalStateException.class, () -> state.increment("word", 1, Optional.empty()));
        assertEquals(Optional.of("hello"), state.get("word"));
    }

    // --- hashes

    @Test
    void hashGetAllOfAnAbsentKeyIsEmpty() {
        assertEquals(Map.of(), state.hashGetAll("absent"));
    }

    @Test
    void hashPutSetsFieldsThatHashGetAllReturns() {
        state.hashPut("h", "a", "1");
        state.hashPut("h", "b", "2");
        state.hashPut("h", "a", "3");

        assertEquals(Map.of("a", "3", "b", "2"), state.hashGetAll("h"));
    }

    @Test
    void hashIncrementCountsEachFieldFromZero() {
        assertEquals(2, state.hashIncrement("h", "a", 2));
        assertEquals(5, state.hashIncrement("h", "a", 3));
        assertEquals(-1, state.hashIncrement("h", "b", -1));

        assertEquals(Map.of("a", "5", "b", "-1"), state.hashGetAll("h"));
    }

    @Test
    void hashIncrementWithinAddsWhileTheResultStaysWithinTheLimit() {
        assertEquals(OptionalLong.of(3), state.hashIncrementWithin("h", "a", 3, 5));
        assertEquals(OptionalLong.of(5), state.hashIncrementWithin("h", "a", 2, 5));
        assertEquals(OptionalLong.of(2), state.hashIncrementWithin("h", "a", -3, 5));

        assertEquals(Map.of("a", "2"), state.hashGetAll("h"));
    }

    @Test
    void hashIncrementWithinRefusesWhatWouldPassTheLimitAndChangesNothing() {
        state.hashPut("h", "a", "4");

        assertEquals(OptionalLong.empty(), state.hashIncrementWithin("h", "a", 2, 5));
        assertEquals(OptionalLong.empty(), state.hashIncrementWithin("h", "b", 1, 0));

        assertEquals(Map.of("a", "4"), state.hashGetAll("h"));
    }

    @Test
    void hashIncrementWithinOnANonIntegerFieldFails() {
        state.hashPut("h", "a", "x");

        assertThrows(IllegalStateException.class, () -> state.hashIncrementWithin("h", "a", 1, 10));
    }

    @Test
    void hashIncrementWithinKeepsTheHashTtl() {
        state.hashIncrementWithin("h", "a", 1, 10);
        assertTrue(state.expire("h", LONG));

        state.hashIncrementWithin("h", "a", 1, 10);

        assertTrue(state.ttl("h").isPresent());
    }

    @Test
    void concurrentHashIncrementsWithinAdmitExactlyTheLimit() throws Exception {
        List<OptionalLong> answers = concurrently(i -> state.hashIncrementWithin("run", "steps", 1, 50));

        assertEquals(50, answers.stream().filter(OptionalLong::isPresent).count());
        assertEquals(Optional.of("50"), state.hashGet("run", "steps"));
        // each admitted call saw its own count: no two callers were given the same step
        assertEquals(50, answers.stream().filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong)
                .distinct().count());
    }

    @Test
    void hashGetReadsOneField() {
        state.hashPut("h", "a", "1");

        assertEquals(Optional.of("1"), state.hashGet("h", "a"));
        assertEquals(Optional.empty(), state.hashGet("h", "b"));
        assertEquals(Optional.empty(), state.hashGet("absent", "a"));
    }

    @Test
    void hashRemoveDeletesOneFieldAndReportsWhetherItExisted() {
        state.hashPut("h", "a", "1");
        state.hashPut("h", "b", "2");

        assertTrue(state.hashRemove("h", "a"));
        assertFalse(state.hashRemove("h", "a"));
        assertFalse(state.hashRemove("absent", "a"));
        assertEquals(Map.of("b", "2"), state.hashGetAll("h"));
    }

    @Test
    void aHashWithoutFieldsNoLongerExists() {
        state.hashPut("h", "a", "1");
        assertTrue(state.expire("h", LONG));

        assertTrue(state.hashRemove("h", "a"));

        assertEquals(Map.of(), state.hashGetAll("h"));
        assertEquals(Optional.empty(), state.ttl("h"));
        assertFalse(state.delete("h"));
        state.set("h", "now a string", Optional.empty());
        assertEquals(Optional.of("now a string"), state.get("h"));
    }

    @Test
    void usingAHashAsAStringFailsAndTheOtherWayRound() {
        state.hashPut("h", "a", "1");
        state.set("s", "v", Optional.empty());

        assertThrows(IllegalStateException.class, () -> state.get("h"));
        assertThrows(IllegalStateException.class, () -> state.hashPut("s", "a", "1"));
        assertThrows(IllegalStateException.class, () -> state.hashGetAll("s"));
        assertThrows(IllegalStateException.class, () -> state.hashGet("s", "a"));
        assertThrows(IllegalStateException.class, () -> state.hashRemove("s", "a"));
    }

    @Test
    void deleteRemovesAHash() {
        state.hashPut("h", "a", "1");

        assertTrue(state.delete("h"));
        assertEquals(Map.of(), state.hashGetAll("h"));
    }

    // --- TTLs

    @Test
    void ttlIsEmptyForAnAbsentKeyAndForAKeyWithoutTtl() {
        state.set("forever", "v", Optional.empty());

        assertEquals(Optional.empty(), state.ttl("absent"));
        assertEquals(Optional.empty(), state.ttl("forever"));
    }

    @Test
    void ttlReportsTheTimeLeft() {
        state.set("k", "v", Optional.of(LONG));

        assertWithin(state.ttl("k").orElseThrow(), LONG);
    }

    @Test
    void expireGivesAnExistingKeyATtl() {
        state.set("k", "v", Optional.empty());

        assertTrue(state.expire("k", SHORT));
        advance(SHORT);

        assertEquals(Optional.empty(), state.get("k"));
    }

    @Test
    void expireOfAnAbsentKeyReportsFalse() {
        assertFalse(state.expire("absent", LONG));
        assertEquals(Optional.empty(), state.get("absent"));
    }

    @Test
    void expireAppliesToHashes() {
        state.hashPut("h", "a", "1");

        state.expire("h", SHORT);
        advance(SHORT);

        assertEquals(Map.of(), state.hashGetAll("h"));
    }

    @Test
    void invalidTtlsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> state.set("k", "v", Optional.of(Duration.ZERO)));
        assertThrows(IllegalArgumentException.class, () -> state.setIfAbsent("k", "v", Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> state.expire("k", Duration.ZERO));
    }

    // --- budgets

    @Test
    void reserveGrantsWithinTheLimitAndHoldsTheAmount() {
        Reservation reservation = state.reserve("b", 300, 1_000);

        assertTrue(reservation.granted());
        assertFalse(reservation.id().isEmpty());
        assertEquals(300, reservation.committedMicros());
        assertEquals(700, reservation.remainingMicros());
        assertEquals(new BudgetState(0, 300), state.budget("b"));
    }

    @Test
    void reserveGrantsExactlyUpToTheLimit() {
        state.reserve("b", 600, 1_000);

        Reservation last = state.reserve("b", 400, 1_000);

        assertTrue(last.granted());
        assertEquals(0, last.remainingMicros());
    }

    @Test
    void reserveDeniesBeyondTheLimitAndChangesNothing() {
        state.reserve("b", 600, 1_000);

        Reservation denied = state.reserve("b", 401, 1_000);

        assertFalse(denied.granted());
        assertEquals("", denied.id());
        assertEquals(600, denied.committedMicros());
        assertEquals(400, denied.remainingMicros());
        assertEquals(new BudgetState(0, 600), state.budget("b"));
    }

    @Test
    void settleBelowTheReservedAmountFreesTheDifference() {
        Reservation reservation = state.reserve("b", 500, 1_000);

        state.settle(reservation, 200);

        assertEquals(new BudgetState(200, 0), state.budget("b"));
        assertTrue(state.reserve("b", 800, 1_000).granted());
    }

    @Test
    void settleAboveTheReservedAmountRecordsTheActualCost() {
        Reservation reservation = state.reserve("b", 500, 1_000);

        state.settle(reservation, 1_200);

        assertEquals(new BudgetState(1_200, 0), state.budget("b"));
        Reservation next = state.reserve("b", 0, 1_000);
        assertFalse(next.granted(), "the budget is overspent");
        assertEquals(1_200, next.committedMicros());
        assertEquals(0, next.remainingMicros());
    }

    @Test
    void releaseFreesTheHoldWithoutSpending() {
        Reservation reservation = state.reserve("b", 500, 1_000);

        state.release(reservation);
        state.release(reservation);

        assertEquals(new BudgetState(0, 0), state.budget("b"));
        assertTrue(state.reserve("b", 1_000, 1_000).granted());
    }

    @Test
    void aDeniedReservationCannotBeSettledAndReleasingItDoesNothing() {
        state.reserve("b", 1_000, 1_000);
        Reservation denied = state.reserve("b", 1, 1_000);

        assertThrows(IllegalArgumentException.class, () -> state.settle(denied, 1));
        state.release(denied);

        assertEquals(new BudgetState(0, 1_000), state.budget("b"));
    }

    @Test
    void resetBudgetForgetsSpentAndReserved() {
        state.settle(state.reserve("b", 400, 1_000), 400);
        state.reserve("b", 600, 1_000);

        state.resetBudget("b");

        assertEquals(new BudgetState(0, 0), state.budget("b"));
        assertTrue(state.reserve("b", 1_000, 1_000).granted());
    }

    @Test
    void anAbandonedReservationExpiresAfterItsHold() {
        state.reserve("b", 800, 1_000, SHORT);
        Reservation kept = state.reserve("b", 200, 1_000, LONG);

        advance(SHORT);

        assertEquals(new BudgetState(0, 200), state.budget("b"));
        Reservation next = state.reserve("b", 800, 1_000, LONG);
        assertTrue(next.granted());
        assertEquals(1_000, next.committedMicros());
        state.release(kept);
        assertEquals(new BudgetState(0, 800), state.budget("b"));
    }

    @Test
    void settlingAfterTheHoldExpiredStillRecordsTheCost() {
        Reservation reservation = state.reserve("b", 500, 1_000, SHORT);

        advance(SHORT);
        state.settle(reservation, 450);

        assertEquals(new BudgetState(450, 0), state.budget("b"));
    }

    @Test
    void budgetsAreIndependent() {
        state.reserve("a", 1_000, 1_000);

        assertTrue(state.reserve("b", 1_000, 1_000).granted());
        assertEquals(BudgetState.EMPTY, state.budget("c"));
    }

    @Test
    void budgetsDoNotCollideWithKeys() {
        state.set("b", "v", Optional.empty());

        state.settle(state.reserve("b", 10, 1_000), 10);
        state.resetBudget("b");

        assertEquals(Optional.of("v"), state.get("b"));
    }

    @Test
    void negativeAmountsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> state.reserve("b", -1, 1_000));
        assertThrows(IllegalArgumentException.class, () -> state.reserve("b", 1, -1));
        Reservation granted = state.reserve("b", 1, 1_000);
        assertThrows(IllegalArgumentException.class, () -> state.settle(granted, -1));
    }

    // --- rate windows

    @Test
    void hitAdmitsUpToTheLimit() {
        for (int i = 1; i <= 3; i++) {
            WindowDecision decision = state.hit("w", LONG, 3, 1);
            assertTrue(decision.admitted());
            assertEquals(i, decision.used());
            assertEquals(Duration.ZERO, decision.retryAfter());
        }
    }

    @Test
    void hitBeyondTheLimitIsDeniedWithARetryAfterAndNotCounted() {
        for (int i = 0; i < 3; i++) {
            state.hit("w", SHORT, 3, 1);
        }

        WindowDecision denied = state.hit("w", SHORT, 3, 1);

        assertFalse(denied.admitted());
        assertEquals(3, denied.used());
        assertEquals(0, denied.remaining());
        assertWithin(denied.retryAfter(), SHORT);
        assertEquals(3, state.hit("w", SHORT, 3, 0).used());
    }

    @Test
    void capacityReturnsAfterTheRetryAfter() {
        state.hit("w", SHORT, 1, 1);
        WindowDecision denied = state.hit("w", SHORT, 1, 1);

        advance(denied.retryAfter());

        WindowDecision admitted = state.hit("w", SHORT, 1, 1);
        assertTrue(admitted.admitted());
        assertEquals(1, admitted.used());
    }

    @Test
    void retryAfterWaitsOnlyForEnoughWeightToLeave() {
        Duration window = SHORT.multipliedBy(2);
        state.hit("w", window, 4, 2);
        advance(SHORT);
        state.hit("w", window, 4, 2);

        WindowDecision denied = state.hit("w", window, 4, 1);

        assertFalse(denied.admitted());
        assertWithin(denied.retryAfter(), window.minus(SHORT));
    }

    @Test
    void theWindowSlides() {
        Duration window = SHORT.multipliedBy(2);
        state.hit("w", window, 2, 1);
        advance(SHORT);
        state.hit("w", window, 2, 1);
        assertFalse(state.hit("w", window, 2, 1).admitted());

        advance(SHORT);

        WindowDecision decision = state.hit("w", window, 2, 1);
        assertTrue(decision.admitted());
        assertEquals(2, decision.used());
    }

    @Test
    void aHitLeavesTheWindowWithinOneStepAfterIt() {
        Duration window = SHORT.multipliedBy(2);
        Duration step = window.dividedBy(SharedState.WINDOW_STEPS);
        state.hit("w", window, 1, 1);

        advance(window.dividedBy(2));
        assertFalse(state.hit("w", window, 1, 1).admitted(), "still in the window");

        advance(window.dividedBy(2).plus(step));
        assertTrue(state.hit("w", window, 1, 1).admitted(), "gone one step after the window at the latest");
    }

    @Test
    void manyHitsAreCountedExactlyWhateverTheirNumber() {
        for (int i = 0; i < 5_000; i++) {
            assertTrue(state.hit("w", LONG, 1_000_000, 3).admitted());
        }

        assertEquals(15_000, state.hit("w", LONG, 1_000_000, 0).used());
    }

    @Test
    void costWeighsEachHit() {
        assertTrue(state.hit("tpm", LONG, 10, 6).admitted());

        assertFalse(state.hit("tpm", LONG, 10, 5).admitted());
        WindowDecision fits = state.hit("tpm", LONG, 10, 4);

        assertTrue(fits.admitted());
        assertEquals(10, fits.used());
    }

    @Test
    void aCostAboveTheLimitIsNeverAdmitted() {
        WindowDecision decision = state.hit("w", SHORT, 5, 6);

        assertFalse(decision.admitted());
        assertEquals(0, decision.used());
        assertEquals(SHORT, decision.retryAfter());
    }

    @Test
    void aZeroCostHitReadsTheUsage() {
        state.hit("w", LONG, 10, 4);

        WindowDecision read = state.hit("w", LONG, 10, 0);

        assertTrue(read.admitted());
        assertEquals(4, read.used());
        assertEquals(6, read.remaining());
    }

    @Test
    void windowsAreIndependent() {
        state.hit("a", LONG, 1, 1);

        assertTrue(state.hit("b", LONG, 1, 1).admitted());
    }

    @Test
    void invalidHitsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> state.hit("w", Duration.ZERO, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> state.hit("w", LONG, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> state.hit("w", LONG, 1, -1));
    }

    // --- pub/sub

    @Test
    void publishDeliversToEverySubscriberOfTheChannel() throws InterruptedException {
        BlockingQueue<String> first = new LinkedBlockingQueue<>();
        BlockingQueue<String> second = new LinkedBlockingQueue<>();
        state.subscribe("keys", first::add);
        state.subscribe("keys", second::add);

        state.publish("keys", "revoked:abc");
        state.publish("keys", "revoked:def");

        assertEquals("revoked:abc", next(first));
        assertEquals("revoked:def", next(first));
        assertEquals("revoked:abc", next(second));
        assertEquals("revoked:def", next(second));
    }

    @Test
    void aClosedSubscriptionReceivesNothing() throws InterruptedException {
        BlockingQueue<String> closed = new LinkedBlockingQueue<>();
        BlockingQueue<String> open = new LinkedBlockingQueue<>();
        SharedState.Subscription subscription = state.subscribe("c", closed::add);
        state.subscribe("c", open::add);

        subscription.close();
        subscription.close();
        state.publish("c", "after");

        assertEquals("after", next(open));
        assertTrue(closed.isEmpty());
    }

    @Test
    void channelsAreIndependent() throws InterruptedException {
        BlockingQueue<String> a = new LinkedBlockingQueue<>();
        BlockingQueue<String> b = new LinkedBlockingQueue<>();
        state.subscribe("a", a::add);
        state.subscribe("b", b::add);

        state.publish("a", "for-a");
        state.publish("b", "for-b");

        assertEquals("for-b", next(b));
        assertEquals("for-a", next(a));
        assertTrue(a.isEmpty() && b.isEmpty());
    }

    @Test
    void aFailingListenerDoesNotStopDeliveryOrThePublisher() throws InterruptedException {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        state.subscribe("c", message -> {
            throw new IllegalStateException("listener bug (expected by the test)");
        });
        state.subscribe("c", received::add);

        state.publish("c", "one");
        state.publish("c", "two");

        assertEquals("one", next(received));
        assertEquals("two", next(received));
    }

    @Test
    void publishingWithoutSubscribersIsFine() {
        state.publish("nobody-listens", "hello");
    }

    // --- concurrency

    @Test
    void concurrentReservationsNeverExceedTheLimit() throws Exception {
        List<Reservation> reservations = concurrently(i -> state.reserve("shared", 10, 1_000));

        List<Reservation> granted = reservations.stream().filter(Reservation::granted).toList();
        assertEquals(100, granted.size());
        assertEquals(new BudgetState(0, 1_000), state.budget("shared"));
        assertEquals(100, granted.stream().map(Reservation::id).distinct().count());

        concurrently(i -> {
            if (i < granted.size()) {
                state.settle(granted.get(i), i % 2 == 0 ? 7 : 13);
            }
            return null;
        });
        assertEquals(new BudgetState(1_000, 0), state.budget("shared"));
    }

    @Test
    void concurrentIncrementsAreExact() throws Exception {
        List<Long> values = concurrently(i -> state.increment("n", 1, Optional.of(LONG)));

        assertEquals(LongStream.rangeClosed(1, THREADS).boxed().collect(Collectors.toCollection(TreeSet::new)),
                new TreeSet<>(values));
        assertEquals(Optional.of(Integer.toString(THREADS)), state.get("n"));
    }

    @Test
    void concurrentHashIncrementsAreExact() throws Exception {
        concurrently(i -> state.hashIncrement("h", i % 2 == 0 ? "even" : "odd", 3));

        assertEquals(Map.of("even", "300", "odd", "300"), state.hashGetAll("h"));
    }

    @Test
    void concurrentHitsAdmitExactlyTheLimit() throws Exception {
        List<WindowDecision> decisions = concurrently(i -> state.hit("w", LONG, 50, 1));

        assertEquals(50, decisions.stream().filter(WindowDecision::admitted).count());
        assertEquals(50, state.hit("w", LONG, 50, 0).used());
    }

    @Test
    void concurrentSetIfAbsentHasOneWinner() throws Exception {
        List<Boolean> wins = concurrently(i -> state.setIfAbsent("lock", "owner-" + i, LONG));

        assertEquals(1, wins.stream().filter(won -> won).count());
    }

    // --- lifecycle

    @Test
    void aClosedStateRejectsCalls() {
        state.close();
        state.close();

        assertThrows(IllegalStateException.class, () -> state.get("k"));
        assertThrows(IllegalStateException.class, () -> state.reserve("b", 1, 1));
        assertThrows(IllegalStateException.class, () -> state.publish("c", "m"));
    }

    @Test
    void aWorkingStateIsReachableUntilClosed() {
        state.set("k", "v", Optional.empty());
        assertTrue(state.reachable());

        state.close();

        assertFalse(state.reachable());
    }

    // --- helpers

    /** Fails unless {@code actual} is in [{@code expected} - tolerance, {@code expected}]. */
    protected final void assertWithin(Duration actual, Duration expected) {
        Duration earliest = expected.minus(timingTolerance());
        assertTrue(actual.compareTo(expected) <= 0 && actual.compareTo(earliest) >= 0,
                "expected " + earliest + ".." + expected + " but was " + actual);
    }

    private static String next(BlockingQueue<String> queue) throws InterruptedException {
        String message = queue.poll(5, TimeUnit.SECONDS);
        assertNotNull(message, "no message within 5s");
        return message;
    }

    /** Runs the task on {@value #THREADS} virtual threads released together; the results in task order. */
    protected static <T> List<T> concurrently(Concurrently.IndexedTask<T> task) throws Exception {
        return Concurrently.run(THREADS, task);
    }
}
