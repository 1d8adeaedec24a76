package dev.smartflow.core.budget;

import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.KeyId;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A virtual key's spend in its current budget period, as {@link SpendListener}s see it.
 *
 * @param keyId       the key (its id, never its token)
 * @param keyName     the key's name, for people reading an alert
 * @param period      how often the key's budget starts again
 * @param periodKey   the period the spend belongs to, e.g. {@code 2026-11}
 * @param spentMicros settled spend this period in micro-USD, all instances included; not negative
 * @param limitMicros the key's budget for the period; empty when the key has none
 */
public record KeySpend(KeyId keyId, String keyName, BudgetPeriod period, String periodKey, long spentMicros,
                       OptionalLong limitMicros) {
    public KeySpend {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(keyName, "keyName");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(periodKey, "periodKey");
        Objects.requireNonNull(limitMicros, "limitMicros");
        if (spentMicros < 0) {
            throw new IllegalArgumentException("spentMicros is negative: " + spentMicros);
        }
    }

    /** Spent over limit (1.0 = the whole budget); empty without a limit or with a limit of zero. */
    public OptionalDouble fraction() {
        return limitMicros.isPresent() && limitMicros.getAsLong() > 0
                ? OptionalDouble.of((double) spentMicros / limitMicros.getAsLong())
                : OptionalDouble.empty();
    }
}
