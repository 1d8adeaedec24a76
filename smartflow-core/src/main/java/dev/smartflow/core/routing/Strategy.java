package dev.smartflow.core.routing;

import dev.smartflow.core.error.InvalidRequest;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a fallback chain picks the target its next call tries first. Every strategy skips targets whose circuit is open;
 * the targets it did not pick stay in the plan, behind the first, as the fallbacks of that call.
 */
public enum Strategy {
    /** Each call starts at the next target in turn. */
    ROUND_ROBIN,
    /** A target is picked with probability proportional to its weight. */
    WEIGHTED,
    /** The target with the fewest calls in flight in this process. */
    LEAST_CONNECTIONS,
    /** Uniformly at random among healthy targets. */
    RANDOM,
    /** Targets in the chain's order; later ones only when earlier ones fail. */
    PRIORITY,
    /** The lowest rolling p95 latency, shared between instances; a target not yet measured is tried first. */
    LATENCY,
    /** The lowest catalog price for the call's expected tokens; targets over their daily budget are skipped. */
    COST;

    /** The name in the API: {@code round_robin}, {@code least_connections}, ... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws InvalidRequest naming the strategies there are, when {@code name} is none of them
     */
    public static Strategy parse(String name) {
        for (Strategy strategy : values()) {
            if (strategy.wireName().equals(name)) {
                return strategy;
            }
        }
        throw new InvalidRequest("'strategy' must be one of " + Arrays.stream(values()).map(Strategy::wireName)
                .collect(Collectors.joining(", ")), "invalid_request", "strategy");
    }
}
