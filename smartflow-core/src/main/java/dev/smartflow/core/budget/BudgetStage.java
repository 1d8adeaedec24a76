package dev.smartflow.core.budget;

import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.cost.MediaUnits;
import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.cost.UnitPrice;
import dev.smartflow.core.error.BudgetExceeded;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.StreamEnd;
import dev.smartflow.core.model.Cost;
import dev.smartflow.core.routing.ModelResolver;
import dev.smartflow.core.routing.RoutePlan;
import dev.smartflow.core.routing.RoutePlanner;
import dev.smartflow.core.spi.VirtualKey;
import java.util.Objects;
import java.util.Optional;

/**
 * Keeps a virtual key's spend within its budget for the period, even under concurrent calls from many instances.
 *
 * <p><b>Design.</b> Checking spent-so-far before a call and adding the cost after it overspends: a hundred calls that
 * all start while the budget has room all pass. So before the call this stage atomically <em>reserves</em> the call's
 * worst-case cost ({@link dev.smartflow.core.spi.SharedState#reserve}); a reservation the budget cannot cover fails
 * the call with {@link BudgetExceeded} before anything upstream sees it. Spent plus open reservations never exceed the
 * limit, and an actual cost never exceeds its worst case, so spend never exceeds the limit.
 *
 * <p><b>Worst case.</b> Priced at the dearest target of the call's {@link RoutePlan} (each target's provider and model,
 * looked up in {@link Pricing}), so that a fallback to a dearer model can never overspend: the prompt, estimated as
 * the body's bytes / 4 tokens (rounded up; JSON overhead makes this an over-estimate of real prompts), at the input
 * price, plus {@code max_tokens} (or {@code max_completion_tokens}; when
 * absent, {@link #DEFAULT_MAX_TOKENS}) at the output price, times every multiplier of the output: {@code n} choices,
 * and for completions {@code best_of} (generated and billed server-side, even though only {@code n} come back);
 * embeddings and reranks have no output. Media calls priced
 * per unit ({@link UnitPrice}: images, audio, characters, searches) hold the most units the request can use, as
 * {@link MediaUnits#worstCase} counts them. A model with no price reserves the configured floor (0 by default): its
 * cost is unknown before and after the call, so it cannot be held to a budget.
 *
 * <p><b>Settling.</b> The actual cost comes from the exchange's {@link CostMeter}, which the cost stage fills next to
 * the provider: at once for a complete answer, when a stream ends or is closed for a streamed one (the stream is
 * wrapped, never buffered). A priced call without reported usage settles at its reservation (what it could have cost:
 * never under-counted); an unpriced one at 0. A call that fails before a provider answered (an exception, or a stream
 * that fails while read) is released: it spends nothing. A call that fails <em>after</em> a provider answered (a later
 * stage throws on the way out) is settled at what the answer cost: once an upstream call has been paid, its cost
 * counts whatever fails afterwards. Settled costs also go to the durable store ({@link Budgets}).
 *
 * <p>Runs only for principals with a virtual key that has a budget, and only on {@linkplain Operation#billed() billed}
 * operations: a free call (Anthropic's {@code count_tokens}) neither reserves nor spends.
 */
public final class BudgetStage implements Stage {
    /** The completion tokens assumed when a request sets no {@code max_tokens}. */
    public static final long DEFAULT_MAX_TOKENS = 4096;
    /** The output tokens held for each image of an image model billed by the token. */
    static final long IMAGE_OUTPUT_TOKENS = 8192;

    private final Budgets budgets;
    private final RoutePlanner planner;
    private final Pricing pricing;
    private final WorstCases worstCases;

    /**
     * @param defaultMaxTokens    completion tokens assumed when the request names none
     * @param unpricedFloorMicros what a call to a model without a price reserves
     */
    public BudgetStage(Budgets budgets, RoutePlanner planner, Pricing pricing, long defaultMaxTokens,
                       long unpricedFloorMicros) {
        this.budgets = Objects.requireNonNull(budgets, "budgets");
        this.planner = Objects.requireNonNull(planner, "planner");
        this.pricing = Objects.requireNonNull(pricing, "pricing");
        if (defaultMaxTokens < 0 || unpricedFloorMicros < 0) {
            throw new IllegalArgumentException("defaultMaxTokens and unpricedFloorMicros must not be negative");
        }
        this.worstCases = new WorstCases(planner, pricing, defaultMaxTokens, unpricedFloorMicros);
    }

    public BudgetStage(Budgets budgets, RoutePlanner planner, Pricing pricing) {
        this(budgets, planner, pricing, DEFAULT_MAX_TOKENS, 0);
    }

    /** Budgets for plain models only: every call is a plan of one. */
    public BudgetStage(Budgets budgets, ModelResolver resolver, Pricing pricing) {
        this(budgets, RoutePlanner.direct(resolver), pricing, DEFAULT_MAX_TOKENS, 0);
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        VirtualKey key = exchange.principal().key().orElse(null);
        if (key == null || key.budgetMicros().isEmpty() || !exchange.operation().billed()) {
            return chain.proceed(exchange);
        }
        if (exchange.operation().routed() && exchange.get(RoutePlan.KEY).isEmpty()) {
            // planned once, here when no plan stage ran before: the route stage reads the same plan
            exchange = exchange.with(RoutePlan.KEY, planner.plan(exchange));
        }
        long worstCase = worstCaseMicros(exchange);
        Budgets.Hold hold = budgets.reserve(key, worstCase, key.budgetMicros().getAsLong());
        if (!hold.reservation().granted()) {
            throw new BudgetExceeded(hold.reservation().remainingMicros());
        }
        Optional<CostMeter> meter = exchange.get(CostMeter.KEY);
        Response response;
        try {
            response = chain.proceed(exchange);
        } catch (RuntimeException | Error e) {
            // A stage between here and the provider may fail after a provider answered: that answer was paid for.
            if (meter.flatMap(CostMeter::cost).isPresent()) {
                budgets.settle(hold, actualMicros(meter, worstCase));
            } else {
                budgets.release(hold);
            }
            throw e;
        }
        return switch (response) {
            case Response.Complete complete -> {
                budgets.settle(hold, actualMicros(meter, worstCase));
                yield complete;
            }
            case Response.Streamed streamed -> new Response.Streamed(streamed.status(), streamed.headers(),
                    ChunkStream.onEnd(streamed.chunks(), end -> {
                        if (end instanceof StreamEnd.Failed) {
                            budgets.release(hold);
                        } else {
                            // a stream closed early was still served up to there: it costs what it metered
                            budgets.settle(hold, actualMicros(meter, worstCase));
                        }
                    }));
        };
    }

    /**
     * The call's worst-case cost in micro-USD, as described in the class comment: for a routed call, the dearest
     * target its plan may try; for a module's operation, its {@link WorstCase}.
     */
    long worstCaseMicros(Exchange exchange) {
        return worstCases.micros(exchange);
    }

    /** The prompt's tokens as estimated before the call: the body's bytes / 4, rounded up. */
    static long promptTokens(Exchange exchange) {
        return WorstCases.promptTokens(exchange);
    }

    private static long actualMicros(Optional<CostMeter> meter, long worstCase) {
        Optional<Cost> cost = meter.flatMap(CostMeter::cost);
        if (cost.isEmpty()) {
            return 0;
        }
        return switch (cost.get().status()) {
            case PRICED -> cost.get().micros().orElse(worstCase);
            case NO_USAGE -> worstCase;
            case UNPRICED -> 0;
        };
    }
}
