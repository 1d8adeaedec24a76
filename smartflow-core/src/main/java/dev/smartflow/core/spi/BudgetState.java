package dev.smartflow.core.spi;

/**
 * A budget as {@link SharedState#budget} sees it: what was settled as spent and what is held by reservations that are
 * still open, both in micro-USD.
 */
public record BudgetState(long spentMicros, long reservedMicros) {
    public static final BudgetState EMPTY = new BudgetState(0, 0);

    public BudgetState {
        if (spentMicros < 0 || reservedMicros < 0) {
            throw new IllegalArgumentException("negative budget state: spent=" + spentMicros + " reserved="
                    + reservedMicros);
        }
    }

    /** Spent plus reserved: what a new reservation is checked against. */
    public long committedMicros() {
        return spentMicros + reservedMicros;
    }
}
