package dev.smartflow.core.runs;

import java.time.Duration;
import java.util.Objects;

/**
 * How runs are governed: the limits every run has unless a key's tags say otherwise, the loop threshold, how long a
 * run's state is kept and how often an instance re-reads the stopped runs (pub/sub carries a stop at once; the poll
 * catches a lost message).
 *
 * @param defaults      limits for every run, before tags and headers
 * @param loopThreshold the same tool with the same arguments this many times in one run is refused; 0 turns loop
 *                      detection off
 * @param ttl           how long a run's shared state (counters, stop flag) lives after its first call
 * @param poll          how often the stopped runs are re-read
 */
public record RunSettings(RunLimits defaults, int loopThreshold, Duration ttl, Duration poll) {
    public static final int DEFAULT_LOOP_THRESHOLD = 5;
    public static final RunSettings DEFAULTS = new RunSettings(RunLimits.NONE, DEFAULT_LOOP_THRESHOLD,
            Duration.ofHours(24), Duration.ofMillis(500));

    public RunSettings {
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(poll, "poll");
        if (loopThreshold < 0) {
            throw new IllegalArgumentException("runs.loop_threshold is not negative: " + loopThreshold);
        }
        if (ttl.isNegative() || ttl.isZero() || poll.isNegative() || poll.isZero()) {
            throw new IllegalArgumentException("runs.ttl and runs.stop_poll must be positive");
        }
    }

    public RunSettings withDefaults(RunLimits limits) {
        return new RunSettings(limits, loopThreshold, ttl, poll);
    }

    public RunSettings withLoopThreshold(int threshold) {
        return new RunSettings(defaults, threshold, ttl, poll);
    }
}
