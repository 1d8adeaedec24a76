package dev.smartflow.core.routing;

import dev.smartflow.core.exchange.Attribute;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where a call may go: its targets, resolved to providers, and the policy for moving between them. A plain model is a
 * plan of one target that is not retried; a model that names a fallback chain (or a plain model with a default chain
 * behind it) is a plan of the chain's targets. The plan is made once per call, before the budget (which holds the
 * worst case of its dearest target) and read again by the route stage ({@link #KEY}); nothing else resolves a model.
 *
 * @param requested the model the request named
 * @param chain     the chain the plan follows, when it follows one
 * @param targets   every target the call may try, in the chain's order (the strategy orders them per call)
 * @param policy    how the call moves from one target to the next
 */
public record RoutePlan(String requested, Optional<FallbackChain> chain, List<Planned> targets, Policy policy) {
    public static final Attribute<RoutePlan> KEY = Attribute.of("route-plan", RoutePlan.class);

    public RoutePlan {
        Objects.requireNonNull(requested, "requested");
        Objects.requireNonNull(chain, "chain");
        targets = List.copyOf(targets);
        Objects.requireNonNull(policy, "policy");
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("a plan has at least one target");
        }
    }

    /** The plan of a plain model: its one target, one attempt. */
    public static RoutePlan single(String requested, Target target) {
        ChainTarget spec = ChainTarget.of(target.provider().name(), target.model());
        return new RoutePlan(requested, Optional.empty(), List.of(new Planned(spec, target)), Policy.SINGLE);
    }

    /** A target of the plan: as the chain declares it, and as the resolver found it. */
    public record Planned(ChainTarget spec, Target target) {
        public Planned {
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(target, "target");
        }

        /** How health, circuits and latency name it. */
        public String id() {
            return spec.id();
        }
    }

    /**
     * @param strategy   how each call orders the targets
     * @param retryOn    upstream statuses that send the call on to the next target
     * @param maxRetries attempts after the first
     * @param backoff    base of the exponential backoff before a target is tried again within one call
     * @param deadline   how long the whole call may take
     */
    public record Policy(Strategy strategy, Set<Integer> retryOn, int maxRetries, Duration backoff,
                         Duration deadline) {
        /** A plain model: one attempt, no chain, no backoff. */
        public static final Policy SINGLE = new Policy(Strategy.PRIORITY, Set.of(), 0, Duration.ZERO,
                FallbackChain.DEFAULT_DEADLINE);

        public Policy {
            Objects.requireNonNull(strategy, "strategy");
            retryOn = Set.copyOf(retryOn);
            Objects.requireNonNull(backoff, "backoff");
            Objects.requireNonNull(deadline, "deadline");
        }

        public static Policy of(FallbackChain chain) {
            return new Policy(chain.strategy(), chain.retryOn(), chain.maxRetries(), chain.backoff(),
                    chain.deadline());
        }
    }
}
