package dev.smartflow.server.management;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.StateUnavailable;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.routing.Routing;
import dev.smartflow.core.routing.TargetHealth;
import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditSummary;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@code GET /api/health/comprehensive} (master key): the whole instance's health (the SDK guide's
 * {@code SystemHealth}): {@code status}, {@code uptime_seconds}, {@code version}, {@code redis_connected} (false
 * when the instance runs without Redis: {@code shared_state} says which), {@code database_connected} (the audit log
 * answered a query within {@value #DATABASE_WAIT_SECONDS} s), {@code providers_available}, {@code providers} (each
 * one's health from routing), {@code cache} (whether the cache module is installed and today's hits from the audit
 * log) and {@code timestamp}.
 *
 * <p>{@code status} is {@code unhealthy} when the database or a configured Redis does not answer or no provider is
 * available (no call can be served), {@code degraded} when a provider is not healthy (calls are served, some by
 * fallback), else {@code healthy}. The answer is 200 whatever the status: this is a report, {@code /health/ready} is
 * the probe.
 */
final class HealthRoutes {
    static final String PATH = "/api/health/comprehensive";
    static final int DATABASE_WAIT_SECONDS = 2;

    /** What the report reads besides routing and the audit log. */
    record Facts(InstantSource clock, Instant startedAt, String version, SharedState state, boolean redisConfigured,
                 List<String> modules) {
    }

    private final Facts facts;
    private final Routing routing;
    private final AuditLog audit;
    private final Supplier<List<String>> providers;

    HealthRoutes(Facts facts, Routing routing, AuditLog audit, Supplier<List<String>> providers) {
        this.facts = facts;
        this.routing = routing;
        this.audit = audit;
        this.providers = providers;
    }

    void register(JavalinConfig app) {
        app.routes.get(PATH, this::health);
    }

    private void health(Context ctx) {
        Instant now = facts.clock().instant();
        Instant dayStart = LocalDate.ofInstant(now, ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
        Optional<AuditSummary> today = today(dayStart, dayStart.plus(Duration.ofDays(1)));
        boolean database = today.isPresent();
        boolean redis = facts.redisConfigured() && facts.state().reachable();
        List<String> available = providers.get();
        List<TargetHealth.ProviderHealth> health;
        try {
            health = routing.health().providers(available);
        } catch (StateUnavailable e) {
            // provider health lives in the shared state: without it there is nothing to report per provider
            health = List.of();
            redis = false;
        }

        String status = !database || (facts.redisConfigured() && !redis) || available.isEmpty() ? "unhealthy"
                : health.stream().anyMatch(p -> !p.status().equals("healthy")) ? "degraded" : "healthy";
        ObjectNode root = Body.MAPPER.createObjectNode();
        root.put("status", status);
        root.put("uptime_seconds", Math.max(0, Duration.between(facts.startedAt(), now).toSeconds()));
        root.put("version", facts.version());
        root.put("redis_connected", redis);
        root.put("shared_state", facts.redisConfigured() ? "redis" : "memory");
        root.put("database_connected", database);
        ArrayNode names = root.putArray("providers_available");
        available.forEach(names::add);
        ObjectNode byName = root.putObject("providers");
        for (TargetHealth.ProviderHealth p : health) {
            byName.putObject(p.provider()).put("status", p.status()).put("latency_ms", p.latencyMs())
                    .put("success_rate", p.successRate()).put("error_rate", p.errorRate())
                    .put("requests_total", p.requestsTotal());
        }
        ObjectNode cache = root.putObject("cache").put("enabled", facts.modules().contains("cache"));
        today.ifPresent(summary -> cache.put("requests_today", summary.requests()).put("hits_today", summary.cached())
                .put("hit_rate_today", summary.requests() == 0 ? BigDecimal.ZERO.setScale(6)
                        : BigDecimal.valueOf(summary.cached()).divide(BigDecimal.valueOf(summary.requests()), 6,
                        RoundingMode.HALF_EVEN)));
        root.put("timestamp", now.toString());
        Services.json(ctx, 200, Body.of(root).bytes());
    }

    /** Today's figures, or empty when the database does not answer in time. */
    private Optional<AuditSummary> today(Instant from, Instant to) {
        CompletableFuture<AuditSummary> query = new CompletableFuture<>();
        Thread.ofVirtual().name("smartflow-health-database").start(() -> {
            try {
                query.complete(audit.summary(from, to));
            } catch (RuntimeException e) {
                query.completeExceptionally(e);
            }
        });
        try {
            return Optional.of(query.get(DATABASE_WAIT_SECONDS, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        }
    }
}
