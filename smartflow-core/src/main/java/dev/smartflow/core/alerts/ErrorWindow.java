package dev.smartflow.core.alerts;

import java.util.Arrays;

/**
 * One provider's calls and failures over a sliding window, kept in {@value #BUCKETS} time buckets: a bucket older
 * than the window is cleared when its slot comes round again, so the counts cover between 9/10 of the window and the
 * whole of it. Recording is a few array writes under the window's monitor (never held across I/O).
 */
final class ErrorWindow {
    static final int BUCKETS = 10;

    /** The failures and calls in the window when a failure pushed the rate over the threshold. */
    record Spike(long failures, long calls) {
    }

    private final long bucketMillis;
    private final long[] epochs = new long[BUCKETS];
    private final long[] calls = new long[BUCKETS];
    private final long[] failures = new long[BUCKETS];

    ErrorWindow(long windowMillis) {
        this.bucketMillis = Math.max(1, windowMillis / BUCKETS);
        Arrays.fill(epochs, Long.MIN_VALUE);
    }

    /**
     * Counts a call at {@code nowMillis}; for a failure, also checks the window.
     *
     * @return the window's counts when this failure leaves at least {@code minCalls} calls with a failure rate of
     *         {@code threshold} or more; else null
     */
    synchronized Spike record(long nowMillis, boolean failed, double threshold, int minCalls) {
        long epoch = Math.floorDiv(nowMillis, bucketMillis);
        int slot = (int) Math.floorMod(epoch, BUCKETS);
        if (epochs[slot] != epoch) {
            epochs[slot] = epoch;
            calls[slot] = 0;
            failures[slot] = 0;
        }
        calls[slot]++;
        if (!failed) {
            return null;
        }
        failures[slot]++;
        long totalCalls = 0;
        long totalFailures = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (epochs[i] > epoch - BUCKETS) {
                totalCalls += calls[i];
                totalFailures += failures[i];
            }
        }
        return totalCalls >= minCalls && totalFailures >= threshold * totalCalls
                ? new Spike(totalFailures, totalCalls) : null;
    }
}
