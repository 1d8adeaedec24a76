package dev.smartflow.core.spi;

import java.util.Objects;

/**
 * The answer of {@link SharedState#reserve}: granted or denied, and the budget's committed amount (spent plus reserved)
 * right after the decision, so the caller can report what remains.
 *
 * <p>A granted reservation holds {@link #micros()} until it is {@link SharedState#settle settled} or
 * {@link SharedState#release released}, or until its hold expires. A denied one holds nothing and has an empty
 * {@link #id()}.
 *
 * @param budgetKey       the budget reserved against
 * @param id              identifies the hold within the budget; empty when denied
 * @param granted         whether the amount fit within the limit
 * @param micros          the amount asked for, in micro-USD
 * @param limitMicros     the limit it was checked against
 * @param committedMicros spent plus reserved after the decision (including {@code micros} when granted)
 */
public record Reservation(String budgetKey, String id, boolean granted, long micros, long limitMicros,
                          long committedMicros) {
    public Reservation {
        Objects.requireNonNull(budgetKey, "budgetKey");
        Objects.requireNonNull(id, "id");
        if (granted == id.isEmpty()) {
            throw new IllegalArgumentException("a granted reservation has an id, a denied one has none");
        }
        if (micros < 0 || limitMicros < 0 || committedMicros < 0) {
            throw new IllegalArgumentException("negative amount: micros=" + micros + " limit=" + limitMicros
                    + " committed=" + committedMicros);
        }
    }

    public static Reservation granted(String budgetKey, String id, long micros, long limitMicros,
                                      long committedMicros) {
        return new Reservation(budgetKey, id, true, micros, limitMicros, committedMicros);
    }

    public static Reservation denied(String budgetKey, long micros, long limitMicros, long committedMicros) {
        return new Reservation(budgetKey, "", false, micros, limitMicros, committedMicros);
    }

    /** What is left under the limit after the decision, never negative. */
    public long remainingMicros() {
        return Math.max(0, limitMicros - committedMicros);
    }
}
