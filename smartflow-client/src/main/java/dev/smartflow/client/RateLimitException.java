package dev.smartflow.client;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * 429 (or 402): a virtual key's rate limit or budget, or the gateway's own rate limit. {@link #retryAfter()} is the
 * gateway's {@code Retry-After}; a budget refusal says so with {@link #budgetExceeded()} and how much is left
 * ({@code x-smartflow-budget-remaining}); a rate limit carries {@code x-ratelimit-limit-*} /
 * {@code x-ratelimit-remaining-*} as {@link #limit()} and {@link #remaining()}.
 */
public final class RateLimitException extends SmartflowException {
    private final Duration retryAfter;
    private final boolean budgetExceeded;
    private final BigDecimal budgetRemainingUsd;
    private final long limit;
    private final long remaining;

    RateLimitException(String message, int status, String type, String code, String requestId, Duration retryAfter,
                       boolean budgetExceeded, BigDecimal budgetRemainingUsd, long limit, long remaining) {
        super(message, status, type, code, null, requestId, null);
        this.retryAfter = retryAfter;
        this.budgetExceeded = budgetExceeded;
        this.budgetRemainingUsd = budgetRemainingUsd;
        this.limit = limit;
        this.remaining = remaining;
    }

    /** How long the gateway asked to wait ({@code Retry-After}); empty when it did not say. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** Whether a budget, not a rate limit, refused the call. */
    public boolean budgetExceeded() {
        return budgetExceeded;
    }

    /** What the budget has left this period, in USD, when the gateway said. */
    public Optional<BigDecimal> budgetRemainingUsd() {
        return Optional.ofNullable(budgetRemainingUsd);
    }

    /** The rate limit that was hit (requests or tokens per minute), when the gateway said. */
    public OptionalLong limit() {
        return limit < 0 ? OptionalLong.empty() : OptionalLong.of(limit);
    }

    /** What the rate limit had left, when the gateway said. */
    public OptionalLong remaining() {
        return remaining < 0 ? OptionalLong.empty() : OptionalLong.of(remaining);
    }
}
