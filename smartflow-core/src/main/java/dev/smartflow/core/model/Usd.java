package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import dev.smartflow.core.error.InvalidRequest;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * US dollars as the APIs write and read them, for money kept as a {@code long} of micro-USD. Written as plain decimals
 * ({@code 50.0}, {@code 0.000123}), never in exponent form ({@code 5E+1}), which scripts and dashboards misread.
 */
public final class Usd {
    /** The largest amount an API accepts: a billion dollars, far above any budget and far below a long's range. */
    public static final long MAX_MICROS = 1_000_000_000L * 1_000_000L;
    private static final BigDecimal MAX_DOLLARS = BigDecimal.valueOf(MAX_MICROS, 6);
    private static final BigDecimal HALF_MICRO = new BigDecimal("0.0000005");

    private Usd() {
    }

    /** {@code micros} as a JSON number that prints plainly with at least one decimal: {@code 50.0}, {@code 0.5}. */
    public static JsonNode number(long micros) {
        BigDecimal dollars = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
        if (dollars.scale() < 1) {
            dollars = dollars.setScale(1);
        }
        // scale 1 to 6 (never negative, at most micro-dollars): BigDecimal.toString() is then always plain
        return DecimalNode.valueOf(dollars);
    }

    /**
     * Reads a dollar amount: a JSON number from 0 to {@link #MAX_MICROS} micro-USD, rounded to the micro-dollar.
     *
     * @throws InvalidRequest naming {@code param} when the value is not such a number
     */
    public static long micros(JsonNode value, String param) {
        if (value == null || !value.isNumber()) {
            throw new InvalidRequest("'" + param + "' must be a number of US dollars", "invalid_request", param);
        }
        if (value.isFloatingPointNumber() && !value.isBigDecimal() && !Double.isFinite(value.doubleValue())) {
            throw tooLarge(param); // 1e400 parses as infinity
        }
        BigDecimal dollars = value.decimalValue();
        if (dollars.signum() < 0) {
            throw new InvalidRequest("'" + param + "' must not be negative", "invalid_request", param);
        }
        if (dollars.compareTo(MAX_DOLLARS) > 0) {
            throw tooLarge(param);
        }
        if (dollars.compareTo(HALF_MICRO) < 0) {
            // compared before scaling: 1e-999999999 would otherwise be scaled digit by digit
            return 0;
        }
        return dollars.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    private static InvalidRequest tooLarge(String param) {
        return new InvalidRequest("'" + param + "' must be at most " + MAX_DOLLARS.toBigInteger() + " US dollars",
                "invalid_request", param);
    }
}
