package dev.smartflow.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.testing.FakeTicker;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TargetOrderTest {
    private static final ChainTarget A = ChainTarget.of("openai", "a");
    private static final ChainTarget B = ChainTarget.of("groq", "b");
    private static final ChainTarget C = ChainTarget.of("mistral", "c");
    private static final int CALLS = 30_000;

    private final Instant now = Instant.parse("2026-12-01T10:00:00Z");
    private final TargetHealth health = new TargetHealth(new InMemorySharedState(new FakeTicker(), Runnable::run),
            () -> now, CircuitSettings.DEFAULTS);
    private final TargetOrder order = new TargetOrder(health, new SplittableRandom(42));

    private List<ChainTarget> order(FallbackChain chain) {
        return order.order(chain, t -> OptionalLong.empty(), t -> false);
    }

    private Map<ChainTarget, Integer> firsts(FallbackChain chain) {
        Map<ChainTarget, Integer> counts = new HashMap<>();
        for (int i = 0; i < CALLS; i++) {
            List<ChainTarget> plan = order(chain);
            assertEquals(chain.targets().size(), plan.size(), "every target stays in the plan as a fallback");
            counts.merge(plan.getFirst(), 1, Integer::sum);
        }
        return counts;
    }

    /** Within 4 standard deviations of a binomial count: fails by chance about once in 15,000 runs, never here. */
    private static void assertShare(double expected, int count) {
        double sd = Math.sqrt(CALLS * expected * (1 - expected));
        assertTrue(Math.abs(count - CALLS * expected) < 4 * sd, "expected " + expected * CALLS + ", was " + count);
    }

    @Test
    void priorityKeepsTheChainsOrder() {
        assertEquals(List.of(A, B, C), order(FallbackChain.of("p", List.of(A, B, C))));
    }

    @Test
    void roundRobinStartsOneFurtherOnEachCall() {
        FallbackChain chain = FallbackChain.of("rr", List.of(A, B, C)).withStrategy(Strategy.ROUND_ROBIN);

        assertEquals(List.of(A, B, C), order(chain));
        assertEquals(List.of(B, C, A), order(chain));
        assertEquals(List.of(C, A, B), order(chain));
        assertEquals(List.of(A, B, C), order(chain));
    }

    @Test
    void weightedPicksInProportionToWeight() {
        FallbackChain chain = FallbackChain.of("w", List.of(A.withWeight(1), B.withWeight(3), C.withWeight(0)))
                .withStrategy(Strategy.WEIGHTED);

        Map<ChainTarget, Integer> firsts = firsts(chain);

        assertShare(0.25, firsts.getOrDefault(A.withWeight(1), 0));
        assertShare(0.75, firsts.getOrDefault(B.withWeight(3), 0));
        assertEquals(null, firsts.get(C.withWeight(0)), "weight 0 is a fallback only");
    }

    @Test
    void randomPicksUniformlyAmongHealthyTargets() {
        FallbackChain chain = FallbackChain.of("r", List.of(A, B, C)).withStrategy(Strategy.RANDOM);

        Map<ChainTarget, Integer> firsts = firsts(chain);

        for (ChainTarget target : List.of(A, B, C)) {
            assertShare(1.0 / 3, firsts.getOrDefault(target, 0));
        }
    }

    @Test
    void openTargetsAreLeftOutByEveryStrategy() {
        for (int i = 0; i < CircuitSettings.DEFAULTS.consecutiveFailures(); i++) {
            health.failed(B.id(), "groq", Duration.ofMillis(1), "upstream_error");
        }
        for (Strategy strategy : Strategy.values()) {
            FallbackChain chain = FallbackChain.of("s", List.of(A, B, C)).withStrategy(strategy);
            for (int i = 0; i < 20; i++) {
                assertTrue(!order(chain).contains(B), strategy + " tried an open target");
            }
        }
    }

    @Test
    void leastConnectionsPicksTheTargetWithFewestCallsInFlight() {
        health.started(A.id());
        health.started(A.id());
        health.started(C.id());

        assertEquals(List.of(B, C, A), order(FallbackChain.of("lc", List.of(A, B, C))
                .withStrategy(Strategy.LEAST_CONNECTIONS)));
    }

    @Test
    void latencyPicksTheLowestP95AndAnUnmeasuredTargetFirst() {
        for (int i = 0; i < 20; i++) {
            health.succeeded(A.id(), "openai", Duration.ofMillis(80));
            health.succeeded(B.id(), "groq", Duration.ofMillis(20));
        }

        List<ChainTarget> plan = order(FallbackChain.of("l", List.of(A, B, C)).withStrategy(Strategy.LATENCY));

        assertEquals(List.of(C, B, A), plan);
    }

    @Test
    void costPicksTheCheapestAndSkipsTargetsOverTheirDailyBudget() {
        FallbackChain chain = FallbackChain.of("c", List.of(A, B, C)).withStrategy(Strategy.COST);
        Map<ChainTarget, Long> prices = Map.of(A, 300L, B, 100L, C, 200L);

        List<ChainTarget> cheapest = order.order(chain, t -> OptionalLong.of(prices.get(t)), t -> false);
        List<ChainTarget> withinBudget = order.order(chain, t -> OptionalLong.of(prices.get(t)), t -> t.equals(B));
        List<ChainTarget> unpricedLast = order.order(chain, t -> t.equals(B) ? OptionalLong.empty()
                : OptionalLong.of(prices.get(t)), t -> false);

        assertEquals(List.of(B, C, A), cheapest);
        assertEquals(List.of(C, A), withinBudget);
        assertEquals(List.of(C, A, B), unpricedLast);
    }
}
