package dev.smartflow.core.routing;

import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Attempt;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import java.util.Objects;

/**
 * Resolves the requested model to a provider and runs the attempt stages and the provider call for it, then stamps
 * {@code x-smartflow-provider} and {@code x-smartflow-model} with what actually served the call.
 *
 * <p>This is the only stage allowed to call {@code proceed} more than once: the retry and fallback loop of the routing
 * stage grows here. Today every call makes exactly one attempt.
 */
public final class RouteStage implements Stage {
    public static final String PROVIDER = "x-smartflow-provider";
    public static final String MODEL = "x-smartflow-model";

    private final ModelResolver resolver;

    public RouteStage(ModelResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        String requested = exchange.body().text("model")
                .orElseThrow(() -> new InvalidRequest("missing required parameter 'model'", "invalid_request",
                        "model"));
        Target target = resolver.resolve(requested);
        Attempt attempt = new Attempt(target.provider(), target.model(), 1);
        Response response = chain.proceed(exchange.with(Attempt.KEY, attempt));
        return response.withHeader(PROVIDER, attempt.provider().name()).withHeader(MODEL, attempt.model());
    }
}
