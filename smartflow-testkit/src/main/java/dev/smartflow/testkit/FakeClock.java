package dev.smartflow.testkit;

import dev.smartflow.core.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to: an {@link InstantSource} for wall time and a {@link Ticker} for elapsed time,
 * both advanced together by {@link #advance}. Thread-safe.
 *
 * <pre>{@code
 * FakeClock clock = new FakeClock();
 * SharedState state = new InMemorySharedState(clock, Runnable::run);
 * state.set("k", "v", Optional.of(Duration.ofSeconds(1)));
 * clock.advance(Duration.ofSeconds(1));
 * assert state.get("k").isEmpty();
 * }</pre>
 */
public final class FakeClock implements InstantSource, Ticker {
    public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

    private final Instant start;
    private final AtomicLong elapsedNanos = new AtomicLong();

    /** A clock at {@link #DEFAULT_START}. */
    public FakeClock() {
        this(DEFAULT_START);
    }

    public FakeClock(Instant start) {
        this.start = Objects.requireNonNull(start, "start");
    }

    @Override
    public Instant instant() {
        return start.plusNanos(elapsedNanos.get());
    }

    /** Nanoseconds since the clock was made (it starts at 0). */
    @Override
    public long nanos() {
        return elapsedNanos.get();
    }

    /**
     * Moves the clock forward.
     *
     * @throws IllegalArgumentException when {@code duration} is negative
     */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a clock does not go back: " + duration);
        }
        elapsedNanos.addAndGet(duration.toNanos());
    }
}
