package dev.smartflow.providers;

import dev.smartflow.core.exchange.Cancellation;
import java.time.Duration;
import java.util.Objects;
import okhttp3.Call;

/**
 * The deadline of one upstream call, watched by the {@link HttpTransport}'s watchdog: when it passes, the call is
 * cancelled, and its blocked read or write fails with an {@code IOException}; {@link #expired()} then tells the
 * adapter that the failure is a timeout. A deadline made for an exchange also cancels the call when the exchange's
 * caller goes away ({@link Cancellation}); {@link #abandoned()} then tells the adapter so.
 *
 * <p>Moving and suspending a deadline are single volatile writes and never wake a thread, so a stream may push its
 * deadline on every chunk. Deadlines are checked on a coarse tick (about 100 ms), which is the precision to expect.
 * The owner {@linkplain #close() closes} the deadline when the call is done; closing is idempotent.
 *
 * <pre>{@code
 * Call call = transport.client().newCall(request);
 * try (Deadline deadline = transport.deadline(call, Duration.ofSeconds(30))) {
 *     try (okhttp3.Response response = call.execute()) { ... }
 * } // an IOException with deadline.expired() true is a timeout
 * }</pre>
 */
public final class Deadline implements AutoCloseable {
    /** {@link #at} while suspended: no deadline at all. */
    private static final long SUSPENDED = Long.MIN_VALUE;

    private final Deadlines owner;
    private final Call call;
    private volatile long at;
    private volatile boolean expired;
    private volatile boolean abandoned;
    /** Set once, right after construction, when the call serves an exchange that can be cancelled. */
    private volatile Cancellation.Registration caller;

    Deadline(Deadlines owner, Call call, long at) {
        this.owner = owner;
        this.call = Objects.requireNonNull(call, "call");
        this.at = at;
    }

    /** Also cancels the call when {@code cancellation} fires (at once if it already has). */
    void watch(Cancellation cancellation) {
        caller = cancellation.onCancel(this::abandon);
    }

    /** Moves the deadline to {@code timeout} from now, e.g. on each chunk of a stream. */
    public void expireAfter(Duration timeout) {
        at = owner.now() + timeout.toNanos();
    }

    /**
     * Takes the deadline off until the next {@link #expireAfter}: for the time a stream's reader is busy with a chunk
     * it already has (e.g. writing it to a slow client), which is no fault of the upstream.
     */
    public void suspend() {
        at = SUSPENDED;
    }

    /** True once the watchdog cancelled the call because its deadline passed. */
    public boolean expired() {
        return expired;
    }

    /** True once the call was cancelled because the caller of its exchange went away. */
    public boolean abandoned() {
        return abandoned;
    }

    /** Stops watching the call. */
    @Override
    public void close() {
        owner.remove(this);
        Cancellation.Registration registration = caller;
        if (registration != null) {
            registration.close();
        }
    }

    boolean passed(long now) {
        long deadline = at;
        // Compare the difference, not the values: nanoTime may wrap.
        return deadline != SUSPENDED && now - deadline >= 0;
    }

    void fire() {
        expired = true;
        call.cancel();
    }

    /** Marked before the call is cancelled, so a reader that sees the cancellation's failure can tell why. */
    private void abandon() {
        abandoned = true;
        call.cancel();
    }

    @Override
    public String toString() {
        return "Deadline[" + (abandoned ? "abandoned" : expired ? "expired" : at == SUSPENDED ? "suspended" : "armed")
                + "]";
    }
}
