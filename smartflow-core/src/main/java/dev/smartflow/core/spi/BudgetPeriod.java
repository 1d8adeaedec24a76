package dev.smartflow.core.spi;

/**
 * How often a virtual key's budget starts again. The caller names each period's spend with a period key
 * ({@code 2026-11-23}, {@code 2026-W48}, {@code 2026-11}, {@code lifetime}) when it calls
 * {@link KeyStore#addSpend}; a {@link #LIFETIME} budget never resets.
 */
public enum BudgetPeriod {
    DAILY,
    WEEKLY,
    MONTHLY,
    LIFETIME
}
