package dev.smartflow.providers;

import dev.smartflow.core.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import okhttp3.Call;

/**
 * The deadline watchdog: one daemon thread that wakes on a coarse tick and cancels the calls whose deadline passed.
 *
 * <p>Why not OkHttp's own read, write and call timeouts: those are Okio {@code AsyncTimeout}s, and every armed timeout
 * enters a shared watchdog queue whose thread is woken when the head changes. Measured on a one-core gateway, that is
 * about three context switches per proxied request and a 20-30% loss of throughput. Deadlines of LLM calls are
 * minutes long, so a tick of 100 ms is precise enough, and the hot path then touches no other thread: registering,
 * moving and removing a deadline are a set insert, a volatile write and a set remove.
 *
 * <p>Invariants: an entry is in {@link #entries} from {@link #register} until {@link Deadline#close()}; the watchdog
 * marks an entry {@linkplain Deadline#expired() expired} <em>before</em> it cancels the call, so a reader that sees
 * the cancellation's {@code IOException} can tell a timeout from a broken connection.
 */
final class Deadlines implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Deadlines.class.getName());

    private final Set<Deadline> entries = ConcurrentHashMap.newKeySet();
    private final Ticker ticker;
    private final long tickNanos;
    private final Thread watchdog;
    private volatile boolean closed;

    /** Starts the watchdog thread. */
    Deadlines(Ticker ticker, Duration tick) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.tickNanos = tick.toNanos();
        if (tickNanos <= 0) {
            throw new IllegalArgumentException("tick must be positive: " + tick);
        }
        this.watchdog = Thread.ofPlatform().name("smartflow-deadlines").daemon().unstarted(this::run);
        watchdog.start();
    }

    /** Creates an entry that cancels {@code call} if it is still registered {@code timeout} from now. */
    Deadline register(Call call, Duration timeout) {
        Deadline deadline = new Deadline(this, call, ticker.nanos() + timeout.toNanos());
        entries.add(deadline);
        return deadline;
    }

    long now() {
        return ticker.nanos();
    }

    void remove(Deadline deadline) {
        entries.remove(deadline);
    }

    int size() {
        return entries.size();
    }

    boolean running() {
        return watchdog.isAlive();
    }

    /** Cancels every registered call whose deadline passed; the watchdog calls it on each tick. */
    void sweep() {
        long now = ticker.nanos();
        for (Deadline deadline : entries) {
            if (deadline.passed(now)) {
                entries.remove(deadline);
                try {
                    deadline.fire();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cancelling a timed-out call failed", e);
                }
            }
        }
    }

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(this, tickNanos);
            sweep();
        }
    }

    /** Stops the watchdog; calls still registered keep running without a deadline. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(watchdog);
        try {
            watchdog.join(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        entries.clear();
    }
}
