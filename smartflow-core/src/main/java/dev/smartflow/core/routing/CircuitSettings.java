package dev.smartflow.core.routing;

import java.time.Duration;
import java.util.Objects;

/**
 * When a target's circuit opens and for how long. A circuit opens after {@code consecutiveFailures} failures in a row,
 * or when at least {@code errorRate} of the calls of the last {@code window} failed (once {@code minCalls} were
 * made in it); it stays open for {@code openFor}, then lets one probe through (half-open): a success closes it, a
 * failure opens it again.
 */
public record CircuitSettings(int consecutiveFailures, double errorRate, int minCalls, Duration window,
                              Duration openFor) {
    public static final CircuitSettings DEFAULTS = new CircuitSettings(5, 0.5, 20, Duration.ofSeconds(30),
            Duration.ofSeconds(30));

    public CircuitSettings {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(openFor, "openFor");
        if (consecutiveFailures < 1 || !(errorRate > 0 && errorRate <= 1) || minCalls < 1 || window.isNegative()
                || window.isZero() || openFor.isNegative() || openFor.isZero()) {
            throw new IllegalArgumentException("circuit settings out of range: failures " + consecutiveFailures
                    + ", error rate " + errorRate + ", min calls " + minCalls + ", window " + window + ", open for "
                    + openFor);
        }
    }
}
