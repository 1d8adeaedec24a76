package dev.smartflow.core.budget;

import dev.smartflow.core.exchange.Attribute;

/**
 * The most a module's billed operation can cost, in micro-USD: what the budget stage holds for it. A module puts it on
 * the exchange before the budget slot; without one, a module operation holds the configured floor (0 by default).
 */
public record WorstCase(long micros) {
    public static final Attribute<WorstCase> KEY = Attribute.of("worst-case", WorstCase.class);

    public WorstCase {
        if (micros < 0) {
            throw new IllegalArgumentException("a worst case is not negative: " + micros);
        }
    }
}
