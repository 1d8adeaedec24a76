package dev.smartflow.server.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.keys.Authenticator;
import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.http.Services;
import dev.smartflow.server.management.QueryParameters;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The bridge service (port 3500): the hybrid log, every instance's audit records merged ({@link BridgeLog}).
 *
 * <p>{@code GET /api/logs/hybrid} (master key), parameters all optional: {@code limit} (1..{@value #MAX_LIMIT},
 * default {@value #DEFAULT_LIMIT}), {@code provider}, {@code instance} (one instance's records) and {@code since} (a
 * date or an ISO-8601 instant). The answer is {@code {"object": "list", "data": [...], "has_more", "instances":
 * [{"instance_id", "last_seen", "records"}]}}; each entry is an audit record as {@code GET /api/vas/logs} shows it,
 * with {@code instance_id}. A bad parameter is a 400 naming it.
 */
public final class BridgeService {
    public static final String PATH = "/api/logs/hybrid";
    static final int DEFAULT_LIMIT = 500;
    static final int MAX_LIMIT = 10_000;

    private BridgeService() {
    }

    public static Javalin create(ServerConfig config, BridgeLog log, Authenticator master,
                                 Consumer<JavalinConfig> moduleRoutes) {
        return Services.create("bridge", config.maxRequestBytes(), app -> {
            app.routes.before("/api/*", ctx -> Services.requireKey(ctx, master));
            app.routes.get(PATH, ctx -> logs(ctx, log));
            moduleRoutes.accept(app);
        });
    }

    private static void logs(Context ctx, BridgeLog log) {
        String limitText = ctx.queryParam("limit");
        int limit = limitText == null ? DEFAULT_LIMIT : QueryParameters.wholeNumber(limitText, "limit", 1, MAX_LIMIT);
        Optional<String> provider = text(ctx, "provider", "a provider's name, e.g. openai")
                .map(p -> p.toLowerCase(Locale.ROOT));
        Optional<String> instance = text(ctx, "instance", "an instance's id");
        Optional<Instant> since = Optional.ofNullable(ctx.queryParam("since"))
                .map(value -> QueryParameters.instant(value, "since", false));
        Predicate<JsonNode> filter = entry -> provider.map(p -> p.equals(entry.path("provider").asText()))
                .orElse(true)
                && instance.map(i -> i.equals(entry.path("instance_id").asText())).orElse(true)
                && since.map(s -> !Instant.parse(entry.path("timestamp").asText()).isBefore(s)).orElse(true);
        BridgeLog.Page page = log.read(limit, filter);
        ObjectNode root = Body.MAPPER.createObjectNode().put("object", "list");
        ArrayNode data = root.putArray("data");
        page.entries().forEach(data::add);
        root.put("has_more", page.hasMore());
        ArrayNode instances = root.putArray("instances");
        page.instances().forEach(i -> instances.addObject().put("instance_id", i.id())
                .put("last_seen", i.lastSeen().toString()).put("records", i.records()));
        Services.json(ctx, 200, Body.of(root).bytes());
    }

    private static Optional<String> text(Context ctx, String param, String expected) {
        String value = ctx.queryParam(param);
        return value == null ? Optional.empty() : Optional.of(QueryParameters.text(value, param, expected));
    }
}
