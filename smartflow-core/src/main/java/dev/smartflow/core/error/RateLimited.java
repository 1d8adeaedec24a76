package dev.smartflow.core.error;

import dev.smartflow.core.exchange.Headers;
import java.time.Duration;
import java.util.Objects;

/**
 * A virtual key went over its requests-per-minute or tokens-per-minute limit: HTTP 429, type
 * {@code rate_limit_error}, code {@code rate_limit_exceeded}. The server sends {@code Retry-After} (whole seconds,
 * rounded up) and OpenAI's {@code x-ratelimit-limit-<unit>} and {@code x-ratelimit-remaining-<unit>}.
 */
public final class RateLimited extends SmartflowException {
    /** What the limit counts. */
    public enum Unit {
        REQUESTS,
        TOKENS;

        String id() {
            return this == REQUESTS ? "requests" : "tokens";
        }
    }

    private final Duration retryAfter;
    private final Unit unit;
    private final long limit;
    private final long remaining;

    /**
     * @param retryAfter how long until the same call would fit; not negative
     * @param unit       what the limit counts
     * @param limit      the limit per minute
     * @param remaining  what is left in the current window
     */
    public RateLimited(Duration retryAfter, Unit unit, long limit, long remaining) {
        super("rate limit reached: " + limit + " " + Objects.requireNonNull(unit, "unit").id()
                + " per minute; retry after " + seconds(retryAfter) + "s", "rate_limit_exceeded", null, null);
        this.retryAfter = retryAfter;
        this.unit = unit;
        this.limit = limit;
        this.remaining = remaining;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public Unit unit() {
        return unit;
    }

    public long limit() {
        return limit;
    }

    public long remaining() {
        return remaining;
    }

    @Override
    public Headers headers() {
        return Headers.of("retry-after", Long.toString(seconds(retryAfter)),
                "x-ratelimit-limit-" + unit.id(), Long.toString(limit),
                "x-ratelimit-remaining-" + unit.id(), Long.toString(remaining));
    }

    @Override
    public int status() {
        return 429;
    }

    @Override
    public String type() {
        return "rate_limit_error";
    }

    /** Whole seconds, rounded up, at least 1: a client told to retry after 0 seconds would retry at once. */
    private static long seconds(Duration retryAfter) {
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter is negative: " + retryAfter);
        }
        long seconds = retryAfter.getSeconds() + (retryAfter.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }
}
