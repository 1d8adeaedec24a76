package dev.smartflow.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.routing.Chains;
import dev.smartflow.core.routing.FallbackChain;
import dev.smartflow.core.routing.ForcedProvider;
import dev.smartflow.core.routing.Routing;
import dev.smartflow.core.routing.TargetHealth;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Routing over the management API (master key): fallback chains ({@code /api/routing/fallback-chains}), the routing
 * state ({@code GET /api/routing/status}), forcing a provider ({@code /api/routing/force-provider}) and each
 * provider's health ({@code GET /api/providers/health}, the SDK guide's {@code ProviderHealth}).
 *
 * <p>A chain is answered in the shape it is written ({@link FallbackChain#toJson()}), so what a {@code GET} returns
 * can be edited and {@code PUT} back. Before a chain is stored every target is checked ({@link ChainCheck}): an unknown
 * or unconfigured provider, or an {@code api_key_env} naming an unset variable, is a 400 naming the target's field.
 * Chains never hold keys, only the names of the variables that do.
 */
final class RoutingRoutes {
    private static final String CHAINS = "/api/routing/fallback-chains";
    private static final String FORCE = "/api/routing/force-provider";
    static final int MAX_FORCE_SECONDS = 86_400;
    private static final Set<String> FORCE_FIELDS = Set.of("provider", "duration_seconds");

    private final Routing routing;
    private final ProviderRegistry registry;
    private final Optional<String> defaultProvider;

    /** @param defaultProvider where plain models no rule knows go ({@code routing.default_provider}) */
    RoutingRoutes(Routing routing, ProviderRegistry registry, Optional<String> defaultProvider) {
        this.routing = routing;
        this.registry = registry;
        this.defaultProvider = defaultProvider;
    }

    void register(JavalinConfig app) {
        app.routes.post(CHAINS, this::create);
        app.routes.get(CHAINS, this::list);
        app.routes.get(CHAINS + "/{name}", ctx -> answer(ctx, 200, find(ctx.pathParam("name")).toJson()));
        app.routes.put(CHAINS + "/{name}", this::replace);
        app.routes.delete(CHAINS + "/{name}", this::delete);
        app.routes.get("/api/routing/status", this::status);
        app.routes.post(FORCE, this::force);
        app.routes.delete(FORCE, this::unforce);
        app.routes.get("/api/providers/health", this::health);
    }

    private Chains chains() {
        return routing.chains().orElseThrow(() -> new IllegalStateException("routing was built without chains"));
    }

    /** 201 with the chain; 409 when a chain of that name exists (replace it with {@code PUT}). */
    private void create(Context ctx) {
        FallbackChain chain = FallbackChain.fromJson(RequestJson.object(ctx), Optional.empty());
        ChainCheck.check(chain, registry);
        if (chains().stored(chain.name()).isPresent()) {
            throw GatewayError.of(409, "invalid_request_error", "chain_exists", "a fallback chain named '"
                    + chain.name() + "' exists; replace it with PUT " + CHAINS + "/" + chain.name());
        }
        chains().put(chain);
        answer(ctx, 201, chain.toJson());
    }

    /** Creates or replaces the chain the path names: 201 when it is new, 200 when it replaced one. */
    private void replace(Context ctx) {
        FallbackChain chain = FallbackChain.fromJson(RequestJson.object(ctx), Optional.of(ctx.pathParam("name")));
        ChainCheck.check(chain, registry);
        boolean created = chains().put(chain);
        answer(ctx, created ? 201 : 200, chain.toJson());
    }

    private void delete(Context ctx) {
        String name = ctx.pathParam("name");
        if (!chains().delete(name)) {
            throw notFound(name);
        }
        answer(ctx, 200, Body.MAPPER.createObjectNode().put("success", true).put("name", name)
                .put("deleted", true));
    }

    private void list(Context ctx) {
        List<FallbackChain> all = chains().list();
        ObjectNode root = Body.MAPPER.createObjectNode().put("success", true).put("total", all.size());
        ArrayNode list = root.putArray("chains");
        all.forEach(chain -> list.add(chain.toJson()));
        answer(ctx, 200, root);
    }

    private FallbackChain find(String name) {
        return chains().stored(name).orElseThrow(() -> notFound(name));
    }

    private static NotFound notFound(String name) {
        String shown = name.length() > 128 ? name.substring(0, 128) + "..." : name;
        return new NotFound("no fallback chain named '" + shown + "'", "chain_not_found");
    }

    /**
     * The routing state: the provider calls go to now ({@code active_provider}: the forced one, else the default
     * chain's first target whose circuit is not open, else {@code routing.default_provider}, else null, when each
     * call's model decides), the force in place, the default chain, every chain's name, and the last failed attempt.
     */
    private void status(Context ctx) {
        Routing.Status status = routing.status();
        ObjectNode root = Body.MAPPER.createObjectNode().put("success", true);
        root.put("active_provider", activeProvider(status).orElse(null));
        if (status.forced().isPresent()) {
            putForce(root.putObject("forced"), status.forced().get(), status.at());
        } else {
            root.putNull("forced");
        }
        root.put("default_chain", status.defaultChain().orElse(null));
        ArrayNode names = root.putArray("chains");
        chains().list().forEach(chain -> names.add(chain.name()));
        if (status.lastFailure().isPresent()) {
            TargetHealth.Failure failure = status.lastFailure().get();
            root.putObject("last_failure").put("target", failure.target()).put("provider", failure.provider())
                    .put("error", failure.error()).put("at", failure.at().toString());
        } else {
            root.putNull("last_failure");
        }
        answer(ctx, 200, root);
    }

    private Optional<String> activeProvider(Routing.Status status) {
        if (status.forced().isPresent()) {
            return Optional.of(status.forced().get().provider());
        }
        Optional<String> fromChain = status.defaultChain().flatMap(name -> chains().get(name))
                .flatMap(chain -> chain.targets().stream()
                        .filter(t -> routing.health().circuit(t.id()) != TargetHealth.Circuit.OPEN)
                        .findFirst())
                .map(t -> registry.provider(t.provider()).map(Provider::name).orElse(t.provider()));
        return fromChain.or(() -> defaultProvider);
    }

    private static void putForce(ObjectNode node, ForcedProvider.Force force, Instant now) {
        node.put("provider", force.provider()).put("until", force.until().toString())
                .put("seconds_left", Math.max(0, Duration.between(now, force.until()).toSeconds()));
    }

    /** Sends every routed call to one available provider for {@code duration_seconds} (1 to 86,400). */
    private void force(Context ctx) {
        JsonNode body = RequestJson.object(ctx);
        for (Iterator<String> fields = body.fieldNames(); fields.hasNext(); ) {
            String field = fields.next();
            if (!FORCE_FIELDS.contains(field)) {
                String shown = field.length() > 64 ? field.substring(0, 64) + "..." : field;
                throw new InvalidRequest("unknown field '" + shown + "'", "invalid_request", shown);
            }
        }
        JsonNode name = body.get("provider");
        if (name == null || name.isNull()) {
            throw new InvalidRequest("missing required parameter 'provider'", "invalid_request", "provider");
        }
        if (!name.isTextual() || name.textValue().isBlank() || name.textValue().length() > 64) {
            throw new InvalidRequest("'provider' must be a provider name", "invalid_request", "provider");
        }
        Provider provider = registry.provider(name.textValue().strip().toLowerCase(Locale.ROOT))
                .filter(Provider::available)
                .orElseThrow(() -> new InvalidRequest("'provider' must name an available provider ("
                        + String.join(", ", registry.available().stream().map(Provider::name).toList()) + ")",
                        "provider_not_available", "provider"));
        JsonNode seconds = body.get("duration_seconds");
        if (seconds == null || seconds.isNull()) {
            throw new InvalidRequest("missing required parameter 'duration_seconds'", "invalid_request",
                    "duration_seconds");
        }
        if (!seconds.isIntegralNumber() || !seconds.canConvertToInt() || seconds.intValue() < 1
                || seconds.intValue() > MAX_FORCE_SECONDS) {
            throw new InvalidRequest("'duration_seconds' must be a whole number from 1 to " + MAX_FORCE_SECONDS,
                    "invalid_request", "duration_seconds");
        }
        ForcedProvider.Force force = routing.forced().force(provider.name(), Duration.ofSeconds(seconds.intValue()));
        answer(ctx, 200, Body.MAPPER.createObjectNode().put("success", true).put("provider", force.provider())
                .put("until", force.until().toString())
                .put("message", "every routed call goes to " + force.provider() + " until " + force.until()));
    }

    /** Ends the force in place; {@code "cleared": false} when there was none. */
    private void unforce(Context ctx) {
        boolean cleared = routing.forced().clear();
        answer(ctx, 200, Body.MAPPER.createObjectNode().put("success", true).put("cleared", cleared)
                .put("message", cleared ? "the forced provider was cleared; calls are routed as usual"
                        : "no provider was forced"));
    }

    /**
     * {@code {"success": true, "providers": [ProviderHealth...]}}: every available provider, and any other that has
     * served calls, with its status ({@code healthy}, {@code degraded}, {@code unhealthy}), latency, success and error
     * rates and call count across instances. A provider never called is healthy with no calls.
     */
    private void health(Context ctx) {
        List<String> available = registry.available().stream().map(Provider::name).toList();
        ObjectNode root = Body.MAPPER.createObjectNode().put("success", true);
        ArrayNode list = root.putArray("providers");
        for (TargetHealth.ProviderHealth health : routing.health().providers(available)) {
            list.addObject().put("provider", health.provider()).put("status", health.status())
                    .put("latency_ms", health.latencyMs()).put("success_rate", health.successRate())
                    .put("error_rate", health.errorRate()).put("requests_total", health.requestsTotal())
                    .put("last_updated", health.lastUpdated().toString());
        }
        answer(ctx, 200, root);
    }

    private static void answer(Context ctx, int status, ObjectNode body) {
        Services.json(ctx, status, Body.of(body).bytes());
    }
}
