package dev.smartflow.core.budget;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.cost.MediaUnits;
import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.cost.TokenPrice;
import dev.smartflow.core.cost.UnitPrice;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.LlmOperation;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.model.Usage;
import dev.smartflow.core.routing.RoutePlan;
import dev.smartflow.core.routing.RoutePlanner;
import dev.smartflow.core.routing.Target;
import java.util.Objects;
import java.util.Optional;

/**
 * The most a call can cost, in micro-USD, before it is made: what the budget stage holds against a key's budget and
 * the run stage against a run's. How it is counted is described on {@link BudgetStage}. Stateless and thread-safe.
 */
public final class WorstCases {
    private final RoutePlanner planner;
    private final Pricing pricing;
    private final long defaultMaxTokens;
    private final long unpricedFloorMicros;

    /**
     * @param defaultMaxTokens    completion tokens assumed when the request names none
     * @param unpricedFloorMicros what a call to a model without a price holds
     */
    public WorstCases(RoutePlanner planner, Pricing pricing, long defaultMaxTokens, long unpricedFloorMicros) {
        this.planner = Objects.requireNonNull(planner, "planner");
        this.pricing = Objects.requireNonNull(pricing, "pricing");
        if (defaultMaxTokens < 0 || unpricedFloorMicros < 0) {
            throw new IllegalArgumentException("defaultMaxTokens and unpricedFloorMicros must not be negative");
        }
        this.defaultMaxTokens = defaultMaxTokens;
        this.unpricedFloorMicros = unpricedFloorMicros;
    }

    /** With the budget stage's defaults ({@link BudgetStage#DEFAULT_MAX_TOKENS}, no floor). */
    public WorstCases(RoutePlanner planner, Pricing pricing) {
        this(planner, pricing, BudgetStage.DEFAULT_MAX_TOKENS, 0);
    }

    /**
     * The call's worst-case cost in micro-USD, as described in the class comment: for a routed call, the dearest
     * target its plan may try; for a module's operation, its {@link WorstCase}.
     */
    public long micros(Exchange exchange) {
        if (!exchange.operation().routed()) {
            return exchange.get(WorstCase.KEY).map(WorstCase::micros).orElse(unpricedFloorMicros);
        }
        RoutePlan plan = exchange.get(RoutePlan.KEY).orElseGet(() -> planner.plan(exchange));
        long worst = 0;
        for (RoutePlan.Planned target : plan.targets()) {
            worst = Math.max(worst, worstCaseMicros(exchange, target.target()));
        }
        return worst;
    }

    private long worstCaseMicros(Exchange exchange, Target target) {
        String provider = target.provider().name();
        String model = target.model();
        try {
            Optional<UnitPrice.Unit> unit = MediaUnits.unitOf(exchange.operation());
            Optional<UnitPrice> unitPrice = unit.flatMap(u -> pricing.unitPrice(provider, model)
                    .filter(p -> p.unit() == u));
            if (unitPrice.isPresent()) {
                return unitPrice.get().costMicros(MediaUnits.worstCase(exchange));
            }
            Optional<TokenPrice> price = pricing.price(provider, model);
            if (price.isEmpty()) {
                return unpricedFloorMicros;
            }
            long prompt = promptTokens(exchange);
            long completion = switch ((LlmOperation) exchange.operation()) { // it has a target: a model endpoint
                case EMBEDDINGS, RERANK -> 0;
                // an image billed by the token: the largest, highest-quality image is about 6,200 output tokens
                case IMAGES -> Math.multiplyExact(MediaUnits.worstCase(exchange), BudgetStage.IMAGE_OUTPUT_TOKENS);
                default -> Math.multiplyExact(maxTokens(exchange.body().json()), choices(exchange));
            };
            return price.get().costMicros(new Usage(prompt, completion, Math.addExact(prompt, completion)));
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The prompt's tokens as estimated before the call: the body's bytes / 4, rounded up. */
    static long promptTokens(Exchange exchange) {
        return (exchange.body().length() + 3L) / 4;
    }

    /** How many completions the request asks the provider to generate, each up to {@code max_tokens}. */
    static long choices(Exchange exchange) {
        JsonNode body = exchange.body().json();
        long n = count(body.path("n"));
        return exchange.operation() == Operation.COMPLETIONS ? Math.max(n, count(body.path("best_of"))) : n;
    }

    /** A multiplier as sent; the validation stage has bounded it, so anything else counts as 1. */
    private static long count(JsonNode value) {
        return value.canConvertToLong() && value.asLong() > 1 ? value.asLong() : 1;
    }

    private long maxTokens(JsonNode body) {
        for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
            JsonNode value = body.path(field);
            if (value.canConvertToLong() && value.asLong() >= 0) {
                return value.asLong();
            }
        }
        return defaultMaxTokens;
    }

}
