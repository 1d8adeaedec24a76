package dev.smartflow.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * When the client tries a call again: never by default ({@link #none()}); with {@link #of(int)}, after a 429 or a
 * 5xx answer ({@link #statuses()}) or a refused connection, up to {@code maxRetries} more times. It waits what the
 * gateway's {@code Retry-After} says, else an exponential backoff ({@code initialBackoff} doubled each time, capped at
 * {@code maxBackoff}). A {@code Retry-After} longer than {@code maxRetryAfter} is not waited for: the call fails at
 * once with its {@link RateLimitException} (or other error), whose {@code retryAfter()} says when to come back.
 * Timeouts are not retried (the gateway may still be serving the call), nor streams once they have begun.
 *
 * @param maxRetries     tries after the first; 0 means none
 * @param initialBackoff the first wait without a {@code Retry-After}
 * @param maxBackoff     the longest backoff wait
 * @param maxRetryAfter  the longest {@code Retry-After} honoured
 * @param statuses       the answer statuses retried
 */
public record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter,
                          Set<Integer> statuses) {
    public static final Set<Integer> DEFAULT_STATUSES = Set.of(429, 500, 502, 503, 504);

    public RetryPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative: " + maxRetries);
        }
        requirePositive(initialBackoff, "initialBackoff");
        requirePositive(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        statuses = Set.copyOf(statuses);
    }

    /** No retries: every failure reaches the caller at once. */
    public static RetryPolicy none() {
        return of(0);
    }

    /** Up to {@code maxRetries} retries, backoff from 500 ms to 30 s, {@code Retry-After} honoured up to 60 s. */
    public static RetryPolicy of(int maxRetries) {
        return new RetryPolicy(maxRetries, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(60),
                DEFAULT_STATUSES);
    }

    public RetryPolicy withBackoff(Duration initial, Duration max) {
        return new RetryPolicy(maxRetries, initial, max, maxRetryAfter, statuses);
    }

    public RetryPolicy withMaxRetryAfter(Duration value) {
        return new RetryPolicy(maxRetries, initialBackoff, maxBackoff, value, statuses);
    }

    /** The backoff before retry number {@code retry} (1-based). */
    Duration backoff(int retry) {
        Duration wait = initialBackoff;
        for (int i = 1; i < retry && wait.compareTo(maxBackoff) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }

    private static void requirePositive(Duration value, String name) {
        if (Objects.requireNonNull(value, name).isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
