package dev.smartflow.server.management;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.alerts.Alerts;
import dev.smartflow.core.budget.Budgets;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.keys.Authenticator;
import dev.smartflow.core.keys.VirtualKeys;
import dev.smartflow.core.metrics.Metrics;
import dev.smartflow.core.routing.Routing;
import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.providers.ProviderStatus;
import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.http.MetricsRoute;
import dev.smartflow.server.http.Services;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The management API (port 7778). Every {@code /api} route needs the master key. It reports the providers, manages
 * virtual keys ({@code /api/enterprise/vkeys}, see {@link VirtualKeyRoutes}), serves the audit log
 * ({@code /api/vas/logs}, see {@link AuditRoutes}) and its analytics ({@code /api/analytics}, see
 * {@link AnalyticsRoutes}), takes custom alerts ({@code /api/alerts}, see {@link AlertRoutes}), and manages routing:
 * fallback chains, the routing status, a forced provider and provider health ({@code /api/routing},
 * {@code /api/providers/health}, see {@link RoutingRoutes}), answers operations questions
 * ({@code POST /api/chatbot/query}, see {@link ChatbotRoutes}) and reports the instance's whole health
 * ({@code GET /api/health/comprehensive}, see {@link HealthRoutes}). {@code /metrics} (Prometheus, no key) is served
 * here as on the proxy port.
 */
public final class ManagementService {
    private ManagementService() {
    }

    /**
     * What the operations routes read besides the stores: the clock, when the instance started and its version, the
     * shared state (and whether it is Redis), the modules installed, and for the chatbot the model that rephrases
     * its answers ({@code chatbot.model}, none by default) with the pipeline it calls.
     */
    public record Operations(InstantSource clock, Instant startedAt, String version, SharedState state,
                             boolean redisConfigured, List<String> modules, Optional<String> chatbotModel,
                             Supplier<Smartflow> pipeline) {
    }

    /**
     * @param budgets the pipeline's budgets ({@code Smartflow.budgets()}), so a reset acts on the ledger calls spend
     * @param routing the pipeline's routing ({@code Smartflow.routing()})
     * @param audit   the audit log; its calls wait while the database is still opening
     */
    public static Javalin create(ProviderRegistry registry, Authenticator master, VirtualKeys keys,
                                 Budgets budgets, Routing routing, AuditLog audit, Metrics metrics,
                                 Optional<Alerts> alerts, ServerConfig config, Operations operations,
                                 Consumer<JavalinConfig> moduleRoutes) {
        Supplier<List<String>> available = () -> registry.available().stream().map(Provider::name).toList();
        return Services.create("management", config.maxRequestBytes(), app -> {
            app.routes.before("/api/*", ctx -> Services.requireKey(ctx, master));
            app.routes.get("/api/providers", ctx -> {
                ObjectNode root = Body.MAPPER.createObjectNode();
                ArrayNode data = root.putArray("data");
                registry.describe().forEach(p -> data.addObject()
                        .put("name", p.name())
                        .put("available", p.available())
                        .put("api_base", p.apiBase().orElse(null)));
                Services.json(ctx, 200, Body.of(root).bytes());
            });
            new VirtualKeyRoutes(keys, budgets).register(app);
            new AnalyticsRoutes(audit, operations.clock()).register(app);
            new ChatbotRoutes(new Chatbot(audit, routing,
                    () -> registry.describe().stream().map(ProviderStatus::name).toList(), available,
                    operations.clock(), operations.chatbotModel(), operations.pipeline())).register(app);
            new HealthRoutes(new HealthRoutes.Facts(operations.clock(), operations.startedAt(), operations.version(),
                    operations.state(), operations.redisConfigured(), operations.modules()), routing, audit, available)
                    .register(app);
            new AuditRoutes(audit).register(app);
            new AlertRoutes(alerts).register(app);
            new RoutingRoutes(routing, registry, config.defaultProvider()).register(app);
            MetricsRoute.register(app, metrics);
            moduleRoutes.accept(app);
        });
    }
}
