package dev.smartflow.core.routing;

import dev.smartflow.core.spi.SharedState;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;

/**
 * An operator's override: every routed call goes to one provider until a time, on every instance (an outage of the
 * usual one, say). Kept in the shared state; each instance reads it at most once a second, and sees its own changes
 * at once. Expiry is judged by the injected clock.
 */
public final class ForcedProvider {
    private static final String KEY = "route:force";
    private static final long CHECK_MILLIS = TargetHealth.REFRESH.toMillis();

    /** A provider forced until {@code until}. */
    public record Force(String provider, Instant until) {
    }

    private final SharedState state;
    private final InstantSource clock;
    private volatile Force cached;
    private volatile long nextCheckAt;

    public ForcedProvider(SharedState state, InstantSource clock) {
        this.state = Objects.requireNonNull(state, "state");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Sends every routed call to {@code provider} for {@code duration}, replacing any force in place. */
    public Force force(String provider, Duration duration) {
        Objects.requireNonNull(provider, "provider");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("a force lasts a positive time");
        }
        Force force = new Force(provider, clock.instant().plus(duration));
        state.set(KEY, provider + "\n" + force.until().toEpochMilli(), Optional.of(duration));
        cached = force;
        nextCheckAt = clock.millis() + CHECK_MILLIS;
        return force;
    }

    /** Ends the force in place now; true when there was one. */
    public boolean clear() {
        boolean had = current().isPresent();
        state.delete(KEY);
        cached = null;
        nextCheckAt = clock.millis() + CHECK_MILLIS;
        return had;
    }

    /** The force in place, as of at most a second ago; empty when none or expired. */
    public Optional<Force> current() {
        long now = clock.millis();
        if (now >= nextCheckAt) {
            nextCheckAt = now + CHECK_MILLIS;
            try {
                cached = state.get(KEY).flatMap(ForcedProvider::parse).orElse(null);
            } catch (RuntimeException e) {
                // unreadable shared state: keep what this instance knew
            }
        }
        Force force = cached;
        return force != null && force.until().toEpochMilli() > now ? Optional.of(force) : Optional.empty();
    }

    private static Optional<Force> parse(String text) {
        int newline = text.indexOf('\n');
        if (newline < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Force(text.substring(0, newline),
                    Instant.ofEpochMilli(Long.parseLong(text.substring(newline + 1)))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
