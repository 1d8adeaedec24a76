package dev.smartflow.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FakeClockTest {
    @Test
    void advanceMovesWallTimeAndTheTickerTogether() {
        FakeClock clock = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));

        clock.advance(Duration.ofMillis(1_500));

        assertEquals(Instant.parse("2026-03-01T10:00:01.500Z"), clock.instant());
        assertEquals(1_500_000_000L, clock.nanos());
    }

    @Test
    void timeStandsStillUntilAdvanced() {
        FakeClock clock = new FakeClock();

        assertEquals(FakeClock.DEFAULT_START, clock.instant());
        assertEquals(clock.nanos(), clock.nanos());
    }

    @Test
    void theClockDoesNotGoBack() {
        assertThrows(IllegalArgumentException.class, () -> new FakeClock().advance(Duration.ofSeconds(-1)));
    }
}
