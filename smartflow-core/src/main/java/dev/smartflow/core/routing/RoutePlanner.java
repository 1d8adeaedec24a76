package dev.smartflow.core.routing;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.spi.VirtualKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Makes a call's {@link RoutePlan}: a {@code model} that names a fallback chain gets the chain's targets; any other
 * model is resolved to its one target, followed by the default chain's targets when a default chain is set (the
 * virtual key's, else the configuration's), under that chain's policy.
 *
 * <p>A chain target whose provider is not configured is left out of the plan (its resolution error is logged once per
 * plan); a chain none of whose targets can be resolved is a 400 that says why.
 */
public final class RoutePlanner {
    private static final System.Logger LOG = System.getLogger(RoutePlanner.class.getName());

    private final ModelResolver resolver;
    private final Optional<Chains> chains;
    private final Optional<String> defaultChain;

    /**
     * @param chains       the fallback chains, when routing by chain is on
     * @param defaultChain the chain behind every plain model, when set ({@code routing.default_chain})
     */
    public RoutePlanner(ModelResolver resolver, Optional<Chains> chains, Optional<String> defaultChain) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.chains = Objects.requireNonNull(chains, "chains");
        this.defaultChain = Objects.requireNonNull(defaultChain, "defaultChain");
    }

    /** A planner for plain models only. */
    public static RoutePlanner direct(ModelResolver resolver) {
        return new RoutePlanner(resolver, Optional.empty(), Optional.empty());
    }

    /**
     * @throws InvalidRequest when the model can be served by no configured provider
     */
    public RoutePlan plan(Exchange exchange) {
        String model = exchange.body().text("model")
                .orElseThrow(() -> new InvalidRequest("missing required parameter 'model'", "invalid_request",
                        "model"));
        Optional<FallbackChain> named = chains.flatMap(c -> c.get(model));
        if (named.isPresent()) {
            FallbackChain chain = named.get();
            return new RoutePlan(model, named, resolveAll(chain.targets(), null), RoutePlan.Policy.of(chain));
        }
        Target target = resolver.resolve(model);
        Optional<FallbackChain> behind = fallbackChain(exchange).flatMap(name -> chains.flatMap(c -> c.get(name)));
        if (behind.isEmpty()) {
            return RoutePlan.single(model, target);
        }
        FallbackChain chain = behind.get();
        ChainTarget first = ChainTarget.of(target.provider().name(), target.model());
        List<RoutePlan.Planned> targets = new ArrayList<>();
        targets.add(new RoutePlan.Planned(first, target));
        Set<String> seen = new LinkedHashSet<>(List.of(first.id()));
        for (RoutePlan.Planned planned : resolveAll(chain.targets(), target)) {
            if (seen.add(planned.id())) {
                targets.add(planned);
            }
        }
        // the requested model stays first whatever the chain's strategy: the chain is its fallback
        RoutePlan.Policy policy = RoutePlan.Policy.of(chain);
        return new RoutePlan(model, behind, targets, new RoutePlan.Policy(Strategy.PRIORITY, policy.retryOn(),
                policy.maxRetries(), policy.backoff(), policy.deadline()));
    }

    /** The default chain this call falls back to: its key's, else the configuration's. */
    private Optional<String> fallbackChain(Exchange exchange) {
        return exchange.principal().key().flatMap(VirtualKey::fallbackChain).or(() -> defaultChain);
    }

    private List<RoutePlan.Planned> resolveAll(List<ChainTarget> specs, Target alreadyResolved) {
        List<RoutePlan.Planned> planned = new ArrayList<>(specs.size());
        RuntimeException first = null;
        for (ChainTarget spec : specs) {
            try {
                planned.add(new RoutePlan.Planned(spec, resolver.resolve(spec)));
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
                LOG.log(System.Logger.Level.DEBUG, () -> "chain target " + spec.id() + " left out: " + e.getMessage());
            }
        }
        if (planned.isEmpty() && alreadyResolved == null) {
            throw first instanceof InvalidRequest invalid ? invalid
                    : new InvalidRequest("no target of the chain can be served", "invalid_request", "model");
        }
        return planned;
    }
}
