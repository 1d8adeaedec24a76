package dev.smartflow.core.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.smartflow.core.spi.AuditAnalytics.ByCaller;
import dev.smartflow.core.spi.AuditAnalytics.ByModel;
import dev.smartflow.core.spi.AuditAnalytics.Latency;
import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class AuditAnalyticsTest {
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @Test
    void theNearestRankIsTheCeilingOfPTimesNOverAHundred() {
        assertEquals(1, Latency.rank(50, 1));
        assertEquals(1, Latency.rank(99, 1));
        assertEquals(3, Latency.rank(50, 6));
        assertEquals(6, Latency.rank(90, 6));
        assertEquals(50, Latency.rank(50, 100));
        assertEquals(99, Latency.rank(99, 100));
        assertEquals(100, Latency.rank(99, 101));
        assertEquals(990, Latency.rank(99, 1_000));
    }

    @Test
    void percentilesOfSortedLatenciesAreValuesThatOccurred() {
        long[] hundred = LongStream.rangeClosed(1, 100).map(i -> i * 10).toArray();

        assertEquals(new Latency(500, 900, 950, 990), Latency.of(hundred));
        assertEquals(new Latency(7, 7, 7, 7), Latency.of(new long[] {7}));
        assertEquals(Latency.ZERO, Latency.of(new long[0]));
    }

    @Test
    void percentilesOutOfOrderAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Latency(2, 1, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> new Latency(-1, 1, 3, 4));
    }

    @Test
    void anEmptyRangeHasRatesOfZeroNotNaN() {
        AuditAnalytics empty = AuditAnalytics.empty(T0, T0);

        assertEquals(0.0, empty.errorRate());
        assertEquals(0.0, empty.cacheHitRate());
        assertEquals(0, empty.totalTokens());
    }

    @Test
    void inconsistentFiguresAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> AuditAnalytics.empty(T0, T0.minusSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new ByModel("p", "m", 1, 2, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ByModel("p", "m", 1, 0, 2, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ByCaller("k", 1, -1));
    }

    @Test
    void theOrdersBreakTiesBySecondFigureThenByName() {
        ByModel cheapBusy = new ByModel("openai", "b", 5, 0, 0, 0, 0, 10);
        ByModel dearQuiet = new ByModel("openai", "a", 1, 0, 0, 0, 0, 50);
        ByModel dearBusy = new ByModel("openai", "c", 5, 0, 0, 0, 0, 50);
        ByModel dearBusyOtherProvider = new ByModel("anthropic", "z", 5, 0, 0, 0, 0, 50);
        List<ByModel> models = List.of(cheapBusy, dearQuiet, dearBusy, dearBusyOtherProvider);

        assertEquals(List.of(dearBusyOtherProvider, dearBusy, dearQuiet, cheapBusy),
                models.stream().sorted(AuditAnalytics.MODELS_BY_COST).toList());
        assertEquals(List.of(dearBusyOtherProvider, dearBusy, cheapBusy, dearQuiet),
                models.stream().sorted(AuditAnalytics.MODELS_BY_REQUESTS).toList());
        assertEquals(List.of(new ByCaller("B", 2, 1), new ByCaller("a", 2, 1), new ByCaller("c", 1, 9)),
                List.of(new ByCaller("c", 1, 9), new ByCaller("a", 2, 1), new ByCaller("B", 2, 1)).stream()
                        .sorted(AuditAnalytics.CALLERS_BY_REQUESTS).toList());
    }
}
