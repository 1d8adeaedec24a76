package dev.smartflow.core;

import dev.smartflow.core.exchange.Attempt;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import java.util.Objects;
import java.util.Optional;

/**
 * The chain handed to the stage at {@code index - 1}; {@link #proceed} runs the stage at {@code index}. One object per
 * stage per call, as in OkHttp's RealInterceptorChain, so the rules can be checked where they are broken and the error
 * can name the stage that broke them:
 * <ul>
 *   <li>no stage returns null;</li>
 *   <li>no stage calls {@code proceed} twice, except the route stage;</li>
 *   <li>no stage changes the principal once it is authenticated;</li>
 *   <li>attempt stages and the provider only ever see exchanges that carry an {@link Attempt}.</li>
 * </ul>
 */
final class RealChain implements Chain {
    private final Pipeline pipeline;
    private final int index;
    private final Exchange exchange;
    private int calls;

    RealChain(Pipeline pipeline, int index, Exchange exchange) {
        this.pipeline = pipeline;
        this.index = index;
        this.exchange = exchange;
    }

    @Override
    public Response proceed(Exchange next) {
        Objects.requireNonNull(next, "exchange");
        Stage[] stages = pipeline.stages;
        int caller = index - 1;
        if (++calls > 1 && caller != pipeline.routeIndex) {
            throw new IllegalStateException(name(stages[caller]) + " called proceed more than once");
        }
        if (exchange.principal().authenticated() && next.principal() != exchange.principal()
                && !next.principal().equals(exchange.principal())) {
            throw new IllegalStateException(name(stages[caller]) + " changed the authenticated principal");
        }
        if (index > pipeline.routeIndex && pipeline.routeIndex >= 0 && next.get(Attempt.KEY).isEmpty()) {
            throw new IllegalStateException(name(stages[caller]) + " proceeded into the attempt stages without an"
                    + " Attempt on the exchange");
        }
        Response response;
        String answeredBy;
        if (index < stages.length) {
            response = stages[index].handle(next, new RealChain(pipeline, index + 1, next));
            answeredBy = name(stages[index]);
        } else if (pipeline.routeIndex >= 0) {
            Attempt attempt = next.get(Attempt.KEY).orElseThrow();
            response = attempt.provider().call(next, attempt.model());
            answeredBy = "provider " + attempt.provider().name();
        } else {
            throw new IllegalStateException("no stage answered " + next.operation()
                    + " and the pipeline has no route stage");
        }
        if (response == null) {
            throw new IllegalStateException(answeredBy + " returned a null response");
        }
        return response;
    }

    @Override
    public Optional<Attempt> attempt() {
        return exchange.get(Attempt.KEY);
    }

    private static String name(Stage stage) {
        return stage.getClass().getName();
    }
}
