package dev.smartflow.core.budget;

import dev.smartflow.core.error.StateUnavailable;
import java.util.Locale;

/**
 * What budgets, or rate limits, do with a call while shared state is unreachable (a {@link StateUnavailable} from
 * {@link dev.smartflow.core.spi.SharedState}). Each feature has its own mode.
 */
public enum OutageMode {
    /**
     * Refuse the call with 503 {@code state_unavailable} and {@code Retry-After: 1} before anything upstream sees it:
     * nothing is served that could not be counted. The default, because a budget or a limit that lets calls through
     * unchecked is no limit.
     */
    CLOSED,
    /**
     * Serve the call, counted against this instance's own in-process state until shared state answers again, and log
     * one warning per outage. Limits then hold per instance, not across instances: n instances together admit up to n
     * times a rate limit, and each holds a key's budget against the durable spend it read when the outage began.
     * Budget spend counted this way is added to shared state once it answers.
     */
    OPEN;

    /** {@code closed} or {@code open}, in any case. */
    public static OutageMode parse(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "closed" -> CLOSED;
            case "open" -> OPEN;
            default -> throw new IllegalArgumentException("expected closed or open, not '" + value + "'");
        };
    }

    /** The configuration spelling: {@code closed} or {@code open}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
