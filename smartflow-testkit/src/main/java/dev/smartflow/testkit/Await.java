package dev.smartflow.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * A bounded wait for a condition that something else makes true, polled every 20 ms: for tests of background work
 * (reconnects, probes, writers) that must not sleep a fixed time.
 *
 * <pre>{@code
 * Await.until(Duration.ofSeconds(5), "Redis answers again", state::reachable);
 * }</pre>
 */
public final class Await {
    private Await() {
    }

    /**
     * Returns once {@code condition} holds; a condition that throws counts as not holding yet.
     *
     * @throws AssertionError when it still does not hold after {@code limit}, naming {@code what} and the last failure
     */
    public static void until(Duration limit, String what, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError timedOut = new AssertionError("not within " + limit.toMillis() + "ms: " + what);
                if (last != null) {
                    timedOut.initCause(last);
                }
                throw timedOut;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + what, e);
            }
        }
    }
}
