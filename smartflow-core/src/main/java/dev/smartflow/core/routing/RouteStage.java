package dev.smartflow.core.routing;

import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.audit.Trail;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.PermissionDenied;
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
 *
 * <p>A virtual key restricted to some providers is checked here, per target, because this is where the provider is
 * decided: when fallback arrives, a target the key may not use is skipped rather than failing the call. A call whose
 * only target is not allowed fails with {@link PermissionDenied} ({@code provider_not_allowed}) before any attempt
 * stage or provider sees it.
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
        String provider = target.provider().name();
        if (!exchange.principal().allowsProvider(provider)) {
            throw new PermissionDenied("this key may not call the provider '" + provider + "'",
                    "provider_not_allowed");
        }
        Attempt attempt = new Attempt(target.provider(), target.model(), 1);
        exchange.get(Trail.KEY).ifPresent(trail -> trail.attempt(attempt));
        Response response = chain.proceed(exchange.with(Attempt.KEY, attempt));
        return response.withHeader(PROVIDER, attempt.provider().name()).withHeader(MODEL, attempt.model());
    }
}
