package dev.smartflow.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The watchdog's rules, driven by a fake clock and explicit sweeps; one test lets the real thread do it. */
final class DeadlinesTest {
    private static final Duration NEVER_ON_ITS_OWN = Duration.ofHours(1);

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final OkHttpClient client = new OkHttpClient();
    private final Deadlines deadlines = new Deadlines(nanos::get, NEVER_ON_ITS_OWN);

    @AfterEach
    void close() {
        deadlines.close();
    }

    @Test
    void callIsCancelledOnceItsDeadlinePasses() {
        Call call = newCall();
        Deadline deadline = deadlines.register(call, Duration.ofSeconds(1));

        advance(Duration.ofMillis(999));
        deadlines.sweep();
        assertFalse(call.isCanceled());
        assertFalse(deadline.expired());

        advance(Duration.ofMillis(1));
        deadlines.sweep();
        assertTrue(call.isCanceled());
        assertTrue(deadline.expired());
        assertEquals(0, deadlines.size());
    }

    @Test
    void movingTheDeadlinePostponesTheCancellation() {
        Call call = newCall();
        Deadline deadline = deadlines.register(call, Duration.ofSeconds(1));

        advance(Duration.ofMillis(900));
        deadline.expireAfter(Duration.ofSeconds(1));
        advance(Duration.ofMillis(900));
        deadlines.sweep();

        assertFalse(call.isCanceled());
        advance(Duration.ofMillis(100));
        deadlines.sweep();
        assertTrue(call.isCanceled());
    }

    @Test
    void suspendedDeadlineNeverFires() {
        Call call = newCall();
        Deadline deadline = deadlines.register(call, Duration.ofSeconds(1));

        deadline.suspend();
        advance(Duration.ofDays(1));
        deadlines.sweep();

        assertFalse(call.isCanceled());
        assertEquals(1, deadlines.size());
    }

    @Test
    void closedDeadlineIsForgotten() {
        Call call = newCall();
        deadlines.register(call, Duration.ofSeconds(1)).close();

        advance(Duration.ofSeconds(2));
        deadlines.sweep();

        assertFalse(call.isCanceled());
        assertEquals(0, deadlines.size());
    }

    @Test
    void deadlineSurvivesTheWrapOfTheNanosecondClock() {
        nanos.set(Long.MAX_VALUE - 500_000_000L);
        Call call = newCall();
        deadlines.register(call, Duration.ofSeconds(1));

        advance(Duration.ofMillis(600));
        deadlines.sweep();
        assertFalse(call.isCanceled(), "the clock wrapped but only 600 ms passed");

        advance(Duration.ofMillis(400));
        deadlines.sweep();
        assertTrue(call.isCanceled());
    }

    @Test
    @Timeout(10)
    void watchdogThreadCancelsWithoutHelp() {
        try (Deadlines real = new Deadlines(System::nanoTime, Duration.ofMillis(10))) {
            Call call = newCall();
            Deadline deadline = real.register(call, Duration.ofMillis(50));

            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!call.isCanceled() && System.nanoTime() - giveUp < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }

            assertTrue(call.isCanceled());
            assertTrue(deadline.expired());
        }
    }

    @Test
    void closeStopsTheWatchdogThread() {
        Deadlines other = new Deadlines(System::nanoTime, Duration.ofMillis(10));
        assertTrue(other.running());

        other.close();

        assertFalse(other.running());
    }

    private Call newCall() {
        return client.newCall(new Request.Builder().url("http://127.0.0.1:9/").build());
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }
}
