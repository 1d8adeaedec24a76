package dev.smartflow.core.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * The answer of {@link SharedState#hit}: whether the hit was admitted, the weight in the window after the decision,
 * and, when denied, how long until enough weight leaves the window for the same hit to fit (the {@code Retry-After}).
 *
 * @param admitted   whether the hit fit and was counted
 * @param used       the weight in the window after the decision (including the hit's cost when admitted)
 * @param limit      the limit it was checked against
 * @param retryAfter zero when admitted; otherwise the wait until the same hit would fit (the whole window when its
 *                   cost exceeds the limit, so it never fits)
 */
public record WindowDecision(boolean admitted, long used, long limit, Duration retryAfter) {
    public WindowDecision {
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (used < 0 || limit < 0 || retryAfter.isNegative()) {
            throw new IllegalArgumentException("negative window decision: used=" + used + " limit=" + limit
                    + " retryAfter=" + retryAfter);
        }
        if (admitted && !retryAfter.isZero()) {
            throw new IllegalArgumentException("an admitted hit has no retry-after: " + retryAfter);
        }
    }

    public static WindowDecision admitted(long used, long limit) {
        return new WindowDecision(true, used, limit, Duration.ZERO);
    }

    public static WindowDecision denied(long used, long limit, Duration retryAfter) {
        return new WindowDecision(false, used, limit, retryAfter);
    }

    /** What is left under the limit, never negative. */
    public long remaining() {
        return Math.max(0, limit - used);
    }
}
