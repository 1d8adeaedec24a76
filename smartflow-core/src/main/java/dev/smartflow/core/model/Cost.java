package dev.smartflow.core.model;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What one call cost, or why that is not known. A call is never silently free: a model without a price is
 * {@link Status#UNPRICED} and an answer without token counts {@link Status#NO_USAGE}, and both have no amount.
 *
 * <pre>{@code
 * Cost cost = Cost.priced(123);   // 123 micro-USD
 * cost.usd();                     // "0.000123"
 * Cost.unpriced().usd();          // "unknown"
 * }</pre>
 *
 * @param status how the amount was found
 * @param micros the amount in micro-USD, present only when {@code status} is {@link Status#PRICED}
 */
public record Cost(Status status, OptionalLong micros) {
    private static final Cost UNPRICED = new Cost(Status.UNPRICED, OptionalLong.empty());
    private static final Cost NO_USAGE = new Cost(Status.NO_USAGE, OptionalLong.empty());

    public enum Status {
        /** Computed from the reported usage and the model's price. */
        PRICED,
        /** The model that served the call has no price in the catalog. */
        UNPRICED,
        /** The answer carried no usage (e.g. a stream without {@code stream_options.include_usage}). */
        NO_USAGE;

        /** The {@code x-smartflow-cost-status} header's value: {@code priced}, {@code unpriced}, {@code no_usage}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Cost {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(micros, "micros");
        if (micros.isPresent() != (status == Status.PRICED)) {
            throw new IllegalArgumentException("an amount goes with PRICED and only with PRICED: " + status);
        }
        if (micros.isPresent() && micros.getAsLong() < 0) {
            throw new IllegalArgumentException("cost must not be negative: " + micros.getAsLong());
        }
    }

    public static Cost priced(long micros) {
        return new Cost(Status.PRICED, OptionalLong.of(micros));
    }

    public static Cost unpriced() {
        return UNPRICED;
    }

    public static Cost noUsage() {
        return NO_USAGE;
    }

    /** The amount as a decimal USD string with six places ({@code 0.000123}), or {@code unknown}. */
    public String usd() {
        if (micros.isEmpty()) {
            return "unknown";
        }
        long m = micros.getAsLong();
        String fraction = Long.toString(m % 1_000_000);
        return (m / 1_000_000) + "." + "000000".substring(fraction.length()) + fraction;
    }
}
