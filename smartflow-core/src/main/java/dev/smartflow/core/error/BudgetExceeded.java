package dev.smartflow.core.error;

import dev.smartflow.core.exchange.Headers;
import java.math.BigDecimal;

/**
 * A virtual key's budget for the current period cannot cover the call's worst-case cost: HTTP 429, type
 * {@code budget_exceeded}, code {@code insufficient_quota}. Carries what is left of the budget, which the server sends
 * as {@value #REMAINING} (USD) next to {@value #EXCEEDED}{@code : true}.
 */
public final class BudgetExceeded extends SmartflowException {
    public static final String EXCEEDED = "x-smartflow-budget-exceeded";
    public static final String REMAINING = "x-smartflow-budget-remaining";

    private final long remainingMicros;

    /** @param remainingMicros what is left of the budget this period, in micro-USD; not negative */
    public BudgetExceeded(long remainingMicros) {
        super("budget exceeded: this key has $" + usd(remainingMicros)
                + " left this period, less than the request could cost", "insufficient_quota", null, null);
        if (remainingMicros < 0) {
            throw new IllegalArgumentException("remainingMicros is negative: " + remainingMicros);
        }
        this.remainingMicros = remainingMicros;
    }

    public long remainingMicros() {
        return remainingMicros;
    }

    @Override
    public Headers headers() {
        return Headers.of(EXCEEDED, "true", REMAINING, usd(remainingMicros));
    }

    @Override
    public int status() {
        return 429;
    }

    @Override
    public String type() {
        return "budget_exceeded";
    }

    /** Micro-USD as a decimal USD string with six places, e.g. {@code 0.001500}. */
    static String usd(long micros) {
        return BigDecimal.valueOf(micros, 6).toPlainString();
    }
}
