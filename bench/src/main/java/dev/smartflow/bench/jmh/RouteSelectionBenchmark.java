package dev.smartflow.bench.jmh;

import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.routing.ChainTarget;
import dev.smartflow.core.routing.CircuitSettings;
import dev.smartflow.core.routing.FallbackChain;
import dev.smartflow.core.routing.Strategy;
import dev.smartflow.core.routing.TargetHealth;
import dev.smartflow.core.routing.TargetOrder;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route selection: the time to put a three-target chain's targets in the order one call tries them, per strategy, with
 * the health state warm (latencies measured, one target's circuit open, calls in flight). Target: under 2 µs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xmx256m"})
public class RouteSelectionBenchmark {
    @Param({"priority", "round_robin", "weighted", "random", "least_connections", "latency", "cost"})
    public String strategy;

    private TargetOrder order;
    private FallbackChain chain;
    private Map<String, Long> prices;

    @Setup
    public void setUp() {
        TargetHealth health = new TargetHealth(new InMemorySharedState(), InstantSource.system(),
                CircuitSettings.DEFAULTS);
        List<ChainTarget> targets = List.of(ChainTarget.of("openai", "gpt-4o").withWeight(3),
                ChainTarget.of("anthropic", "claude-sonnet-4-5"), ChainTarget.of("groq", "llama-3.3-70b"),
                ChainTarget.of("mistral", "mistral-large"));
        for (int i = 0; i < 100; i++) {
            health.succeeded(targets.get(0).id(), "openai", Duration.ofMillis(40 + i % 7));
            health.succeeded(targets.get(1).id(), "anthropic", Duration.ofMillis(60 + i % 5));
            health.succeeded(targets.get(2).id(), "groq", Duration.ofMillis(20 + i % 3));
        }
        for (int i = 0; i < CircuitSettings.DEFAULTS.consecutiveFailures(); i++) {
            health.failed(targets.get(3).id(), "mistral", Duration.ofMillis(5), "upstream_error");
        }
        health.started(targets.get(0).id());
        chain = FallbackChain.of("bench", targets).withStrategy(Strategy.parse(strategy));
        order = new TargetOrder(health, new SplittableRandom(7));
        prices = Map.of(targets.get(0).id(), 300L, targets.get(1).id(), 400L, targets.get(2).id(), 100L);
    }

    @Benchmark
    public List<ChainTarget> select() {
        return order.order(chain, t -> {
            Long price = prices.get(t.id());
            return price == null ? OptionalLong.empty() : OptionalLong.of(price);
        }, t -> false);
    }
}
