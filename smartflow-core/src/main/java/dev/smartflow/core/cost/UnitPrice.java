package dev.smartflow.core.cost;

import java.util.Objects;

/**
 * The price of a model billed by something other than tokens: per generated image, per hour of transcribed audio,
 * per million characters of synthesised speech, per rerank search. Micro-USD, exact integer arithmetic with one final
 * half-up rounding, as for {@link TokenPrice}.
 *
 * <pre>{@code
 * UnitPrice whisper = new UnitPrice(UnitPrice.Unit.AUDIO_HOUR, 360_000);  // $0.36 an hour, $0.006 a minute
 * long micros = whisper.costMicros(61_500);                               // 61.5 s, in milliseconds -> 6150
 * }</pre>
 *
 * @param unit   what is counted
 * @param micros the price of one unit: one image, one hour of audio, one million characters, one search
 */
public record UnitPrice(Unit unit, long micros) {
    /** What a call is counted in, and the quantity {@link #costMicros} takes. */
    public enum Unit {
        /** Quantity: images generated. */
        IMAGE(1),
        /**
         * Quantity: milliseconds of audio. Priced by the hour because vendors' per-minute and per-hour prices
         * ($0.0043 a minute, $0.111 an hour) are whole micro-USD there and not per second.
         */
        AUDIO_HOUR(3_600_000),
        /** Quantity: characters synthesised. */
        MILLION_CHARACTERS(1_000_000),
        /** Quantity: searches (Cohere bills a query over up to 100 documents as one). */
        SEARCH(1);

        private final long perPricedUnit;

        Unit(long perPricedUnit) {
            this.perPricedUnit = perPricedUnit;
        }
    }

    /** @throws IllegalArgumentException if the price is negative */
    public UnitPrice {
        Objects.requireNonNull(unit, "unit");
        if (micros < 0) {
            throw new IllegalArgumentException("price must not be negative");
        }
    }

    /**
     * The cost of {@code quantity} (in the unit's quantity, see {@link Unit}) in micro-USD, rounded half up.
     *
     * @throws IllegalArgumentException if the quantity is negative
     * @throws ArithmeticException      if the figures overflow a long
     */
    public long costMicros(long quantity) {
        if (quantity < 0) {
            throw new IllegalArgumentException("quantity must not be negative");
        }
        long scaled = Math.multiplyExact(quantity, micros);
        return Math.addExact(scaled, unit.perPricedUnit / 2) / unit.perPricedUnit;
    }
}
