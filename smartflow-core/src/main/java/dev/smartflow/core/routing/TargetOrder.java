package dev.smartflow.core.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Puts a chain's targets in the order one call tries them: the strategy's pick first, then the others as its
 * fallbacks, every target whose circuit is open left out. Half-open targets stay in; whether the call gets the probe is
 * decided when it gets there ({@link TargetHealth#admits}).
 *
 * <ul>
 *   <li>{@code priority}: the chain's order.</li>
 *   <li>{@code round_robin}: the chain's order, starting one further on at each call (per instance).</li>
 *   <li>{@code weighted}: drawn by weight without replacement; targets of weight 0 last.</li>
 *   <li>{@code random}: shuffled.</li>
 *   <li>{@code least_connections}: fewest calls in flight first, ties in the chain's order.</li>
 *   <li>{@code latency}: lowest rolling p95 first; a target never measured goes first, so it gets measured.</li>
 *   <li>{@code cost}: cheapest for the call first; a target over its daily budget is left out, one without a price
 *       goes last.</li>
 * </ul>
 * Thread-safe.
 */
public final class TargetOrder {
    private final TargetHealth health;
    private final RandomGenerator random;
    private final ConcurrentHashMap<String, AtomicLong> turns = new ConcurrentHashMap<>();

    public TargetOrder(TargetHealth health, RandomGenerator random) {
        this.health = Objects.requireNonNull(health, "health");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * @param costMicros     what the call would cost at a target, empty when the target has no price
     * @param overDailyBudget whether a target has spent its daily budget
     */
    public List<ChainTarget> order(FallbackChain chain, Function<ChainTarget, OptionalLong> costMicros,
                                   Predicate<ChainTarget> overDailyBudget) {
        return order(chain.name(), chain.strategy(), chain.targets(), costMicros, overDailyBudget);
    }

    /**
     * {@code targets} in the order one call tries them under {@code strategy}; {@code turns} names the round-robin
     * counter (a chain's name).
     */
    public List<ChainTarget> order(String turns, Strategy strategy, List<ChainTarget> targets,
                                   Function<ChainTarget, OptionalLong> costMicros,
                                   Predicate<ChainTarget> overDailyBudget) {
        List<ChainTarget> candidates = new ArrayList<>(targets.size());
        for (ChainTarget target : targets) {
            if (health.circuit(target.id()) != TargetHealth.Circuit.OPEN) {
                candidates.add(target);
            }
        }
        if (candidates.size() < 2 && strategy != Strategy.COST) {
            return candidates;
        }
        switch (strategy) {
            case PRIORITY -> { }
            case ROUND_ROBIN -> {
                long turn = this.turns.computeIfAbsent(turns, n -> new AtomicLong()).getAndIncrement();
                int start = (int) Math.floorMod(turn, (long) candidates.size());
                List<ChainTarget> rotated = new ArrayList<>(candidates.subList(start, candidates.size()));
                rotated.addAll(candidates.subList(0, start));
                candidates = rotated;
            }
            case WEIGHTED -> candidates = weighted(candidates);
            case RANDOM -> {
                for (int i = candidates.size() - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    candidates.set(i, candidates.set(j, candidates.get(i)));
                }
            }
            case LEAST_CONNECTIONS -> candidates.sort(Comparator.comparingInt(t -> health.inFlight(t.id())));
            case LATENCY -> candidates.sort(Comparator.comparingLong(
                    t -> health.p95Micros(t.id()).orElse(-1)));
            case COST -> {
                candidates.removeIf(overDailyBudget);
                candidates.sort(Comparator.comparingLong(t -> costMicros.apply(t).orElse(Long.MAX_VALUE)));
            }
        }
        return candidates;
    }

    private List<ChainTarget> weighted(List<ChainTarget> candidates) {
        List<ChainTarget> left = new ArrayList<>(candidates);
        List<ChainTarget> ordered = new ArrayList<>(candidates.size());
        long total = 0;
        for (ChainTarget target : left) {
            total += target.weight();
        }
        while (total > 0) {
            long pick = random.nextLong(total);
            for (int i = 0; i < left.size(); i++) {
                ChainTarget target = left.get(i);
                pick -= target.weight();
                if (pick < 0) {
                    ordered.add(left.remove(i));
                    total -= target.weight();
                    break;
                }
            }
        }
        ordered.addAll(left); // weight 0: fallbacks only
        return ordered;
    }
}
