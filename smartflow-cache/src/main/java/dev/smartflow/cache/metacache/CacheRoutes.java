package dev.smartflow.cache.metacache;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.model.Usd;
import dev.smartflow.server.ModuleContext;
import dev.smartflow.server.Service;
import dev.smartflow.server.http.Services;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;

/**
 * The cache's management API (management port, master key): {@code GET /api/cache/stats} and
 * {@code DELETE /api/cache} ({@code ?namespace=} for one namespace of every tenant).
 */
final class CacheRoutes {
    private CacheRoutes() {
    }

    static void register(ModuleContext context, MetaCache cache) {
        context.routes(Service.MANAGEMENT, app -> {
            app.routes.get("/api/cache/stats", ctx -> stats(ctx, context, cache));
            app.routes.delete("/api/cache", ctx -> clear(ctx, context, cache));
        });
    }

    private static void stats(Context ctx, ModuleContext context, MetaCache cache) throws Exception {
        Services.requireKey(ctx, context.master());
        CacheStats stats = cache.stats();
        ObjectNode json = Body.MAPPER.createObjectNode();
        json.put("success", true);
        json.put("hit_rate", stats.hitRate());
        json.put("hits", stats.hits());
        json.put("misses", stats.misses());
        json.put("total_requests", stats.totalRequests());
        json.put("l1_hits", stats.l1Hits());
        json.put("l2_hits", stats.l2Hits());
        json.put("l3_hits", stats.l3Hits());
        json.put("tokens_saved", stats.tokensSaved());
        // micro-USD: a cent is 10,000 of them
        json.put("cost_saved_cents", BigDecimal.valueOf(stats.costSavedMicros()).movePointLeft(4)
                .setScale(0, RoundingMode.HALF_UP).longValueExact());
        json.set("cost_saved_usd", Usd.number(stats.costSavedMicros()));
        json.put("entries", stats.entries());
        Services.json(ctx, 200, Body.MAPPER.writeValueAsBytes(json));
    }

    private static void clear(Context ctx, ModuleContext context, MetaCache cache) throws Exception {
        Services.requireKey(ctx, context.master());
        Optional<String> namespace = Optional.ofNullable(ctx.queryParam("namespace"));
        if (namespace.isPresent() && !CacheSettings.NAMESPACE.matcher(namespace.get()).matches()) {
            throw new InvalidRequest("'namespace' must be 1 to 64 letters, digits, '.', '_' or '-'",
                    "invalid_cache_namespace", "namespace");
        }
        long cleared = namespace.map(cache::clear).orElseGet(cache::clear);
        ObjectNode json = Body.MAPPER.createObjectNode();
        json.put("success", true);
        json.put("cleared", cleared);
        if (namespace.isPresent()) {
            json.put("namespace", namespace.get());
        } else {
            json.putNull("namespace");
        }
        Services.json(ctx, 200, Body.MAPPER.writeValueAsBytes(json));
    }
}
