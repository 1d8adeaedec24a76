package dev.smartflow.core.routing;

import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import java.util.Objects;

/**
 * Makes a routed call's {@link RoutePlan} once, before the budget, and hands it on with the exchange: the budget holds
 * the worst case of the plan's dearest target, the route stage follows it. An unknown model fails here, with its 400,
 * before any budget is held.
 */
public final class PlanStage implements Stage {
    private final RoutePlanner planner;

    public PlanStage(RoutePlanner planner) {
        this.planner = Objects.requireNonNull(planner, "planner");
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        if (!exchange.operation().routed() || exchange.get(RoutePlan.KEY).isPresent()) {
            return chain.proceed(exchange);
        }
        return chain.proceed(exchange.with(RoutePlan.KEY, planner.plan(exchange)));
    }
}
