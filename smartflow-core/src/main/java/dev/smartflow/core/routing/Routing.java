package dev.smartflow.core.routing;

import dev.smartflow.core.Ticker;
import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.spi.ChainStore;
import dev.smartflow.core.spi.SharedState;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * Everything routing keeps between calls, in one place: the fallback chains, each target's health (circuits, latency,
 * calls in flight), the operator's forced provider, and how to plan and order a call's targets. The route stage uses
 * it for every call; the management API reads and changes it.
 *
 * <pre>{@code
 * Routing routing = Routing.builder(resolver).sharedState(state).chains(database.chains()).build();
 * routing.chains().put(FallbackChain.of("prod", List.of(ChainTarget.of("openai", "gpt-4o"),
 *         ChainTarget.of("anthropic", "claude-sonnet-4-5"))));
 * routing.forced().force("anthropic", Duration.ofMinutes(10));
 * }</pre>
 */
public final class Routing {
    /** How a backoff waits; tests record the waits instead of sleeping them. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper THREAD = duration -> Thread.sleep(duration);

        void sleep(Duration duration) throws InterruptedException;
    }

    /** The routing state an operator sees: the forced provider, the last failure, the chains. */
    public record Status(Optional<ForcedProvider.Force> forced, Optional<TargetHealth.Failure> lastFailure,
                         Optional<String> defaultChain, Instant at) {
    }

    private final ModelResolver resolver;
    private final Optional<Chains> chains;
    private final TargetHealth health;
    private final ForcedProvider forced;
    private final RoutePlanner planner;
    private final TargetOrder order;
    private final Optional<String> defaultChain;
    private final Pricing pricing;
    private final SharedState state;
    private final InstantSource clock;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final RandomGenerator random;

    private Routing(Builder b) {
        this.resolver = b.resolver;
        this.state = b.state;
        this.clock = b.clock;
        this.ticker = b.ticker;
        this.chains = b.chainStore.map(store -> new Chains(store, b.state, b.clock, b.reloads));
        this.health = new TargetHealth(b.state, b.clock, b.circuit);
        this.forced = new ForcedProvider(b.state, b.clock);
        this.defaultChain = b.defaultChain;
        this.planner = new RoutePlanner(b.resolver, chains, b.defaultChain);
        this.order = new TargetOrder(health, b.random);
        this.pricing = b.pricing;
        this.sleeper = b.sleeper;
        this.random = b.random;
    }

    public static Builder builder(ModelResolver resolver) {
        return new Builder(resolver);
    }

    public ModelResolver resolver() {
        return resolver;
    }

    /** The fallback chains; empty when no chain store was given. */
    public Optional<Chains> chains() {
        return chains;
    }

    public TargetHealth health() {
        return health;
    }

    public ForcedProvider forced() {
        return forced;
    }

    public RoutePlanner planner() {
        return planner;
    }

    public TargetOrder order() {
        return order;
    }

    public Pricing pricing() {
        return pricing;
    }

    SharedState state() {
        return state;
    }

    InstantSource clock() {
        return clock;
    }

    Ticker ticker() {
        return ticker;
    }

    Sleeper sleeper() {
        return sleeper;
    }

    RandomGenerator random() {
        return random;
    }

    /** What the routing status endpoint shows. */
    public Status status() {
        return new Status(forced.current(), health.lastFailure(), defaultChain, clock.instant());
    }

    public static final class Builder {
        private final ModelResolver resolver;
        private SharedState state;
        private Optional<ChainStore> chainStore = Optional.empty();
        private Optional<String> defaultChain = Optional.empty();
        private InstantSource clock = InstantSource.system();
        private Ticker ticker = Ticker.system();
        private CircuitSettings circuit = CircuitSettings.DEFAULTS;
        private Pricing pricing = Pricing.none();
        private Sleeper sleeper = Sleeper.THREAD;
        private RandomGenerator random = new SplittableRandom();
        private Executor reloads = runnable -> Thread.ofVirtual().name("smartflow-chains-reload").start(runnable);

        private Builder(ModelResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
        }

        /** Where circuits, latency, the forced provider and chain versions are shared; in-process when unset. */
        public Builder sharedState(SharedState value) {
            this.state = Objects.requireNonNull(value, "state");
            return this;
        }

        /** Enables fallback chains, stored here. */
        public Builder chains(ChainStore store) {
            this.chainStore = Optional.of(store);
            return this;
        }

        /** The chain every plain model falls back to, unless the key names its own. */
        public Builder defaultChain(String name) {
            this.defaultChain = Optional.of(name);
            return this;
        }

        public Builder clock(InstantSource value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public Builder ticker(Ticker value) {
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        public Builder circuit(CircuitSettings value) {
            this.circuit = Objects.requireNonNull(value, "circuit");
            return this;
        }

        /** Prices for the cost strategy and targets' daily budgets. */
        public Builder pricing(Pricing value) {
            this.pricing = Objects.requireNonNull(value, "pricing");
            return this;
        }

        public Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
            return this;
        }

        public Builder random(RandomGenerator value) {
            this.random = Objects.requireNonNull(value, "random");
            return this;
        }

        /** Where chain reloads run; virtual threads by default. */
        public Builder reloads(Executor value) {
            this.reloads = Objects.requireNonNull(value, "reloads");
            return this;
        }

        public Routing build() {
            if (state == null) {
                state = new dev.smartflow.core.memory.InMemorySharedState();
            }
            return new Routing(this);
        }
    }
}
