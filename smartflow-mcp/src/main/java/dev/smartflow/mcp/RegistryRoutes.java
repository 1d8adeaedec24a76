package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.keys.Authenticator;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.InstantSource;
import java.util.Optional;

/**
 * The server registry over HTTP on the proxy port, for the master key: {@code POST /api/mcp/servers} registers,
 * {@code GET} lists or shows one, {@code PUT /api/mcp/servers/{id}} replaces (or creates), {@code DELETE} removes.
 * Answers carry every field but the secrets, which show only as {@code has_token}-style flags and stdio variable
 * names; a replacement that leaves a secret out keeps the stored one.
 */
final class RegistryRoutes {
    static final String SERVERS = "/api/mcp/servers";

    private final Registry registry;
    private final Authenticator master;
    private final InstantSource clock;
    RegistryRoutes(Registry registry, Authenticator master, InstantSource clock) {
        this.registry = registry;
        this.master = master;
        this.clock = clock;
    }

    void register(JavalinConfig app) {
        app.routes.post(SERVERS, this::create);
        app.routes.get(SERVERS, this::list);
        app.routes.get(SERVERS + "/{id}", this::show);
        app.routes.put(SERVERS + "/{id}", this::replace);
        app.routes.delete(SERVERS + "/{id}", this::delete);
    }

    private void create(Context ctx) {
        Services.requireKey(ctx, master);
        JsonNode body = ApiJson.object(ctx);
        String id = body.path("id").asText("");
        if (!id.isEmpty() && registry.previous(id).isPresent()) {
            throw GatewayError.of(409, "invalid_request_error", "server_exists", "an MCP server with id '" + id
                    + "' is registered already; PUT " + SERVERS + "/" + id + " replaces it");
        }
        ServerDefinition.Parsed parsed = ServerDefinition.parse(body, Optional.empty(), Optional.empty(),
                clock.instant());
        registry.put(parsed);
        ApiJson.answer(ctx, 201, ApiJson.success().set("server", view(parsed.definition().id())));
    }

    private void replace(Context ctx) {
        Services.requireKey(ctx, master);
        String id = ctx.pathParam("id");
        JsonNode body = ApiJson.object(ctx);
        ServerDefinition.Parsed parsed = ServerDefinition.parse(body, Optional.of(id), registry.previous(id),
                clock.instant());
        boolean created = registry.put(parsed);
        ApiJson.answer(ctx, created ? 201 : 200, ApiJson.success().set("server", view(id)));
    }

    private void list(Context ctx) {
        Services.requireKey(ctx, master);
        ObjectNode answer = ApiJson.success();
        ArrayNode servers = Body.MAPPER.createArrayNode();
        registry.all().forEach(entry -> servers.add(view(entry)));
        answer.put("total", servers.size()).set("servers", servers);
        ApiJson.answer(ctx, 200, answer);
    }

    private void show(Context ctx) {
        Services.requireKey(ctx, master);
        ApiJson.answer(ctx, 200, ApiJson.success().set("server", view(ctx.pathParam("id"))));
    }

    private void delete(Context ctx) {
        Services.requireKey(ctx, master);
        String id = ctx.pathParam("id");
        if (!registry.delete(id)) {
            throw notFound(id);
        }
        ApiJson.answer(ctx, 200, ApiJson.success().put("message", "MCP server '" + id + "' removed"));
    }

    private ObjectNode view(String id) {
        return view(registry.get(id).orElseThrow(() -> notFound(id)));
    }

    private ObjectNode view(Registry.Entry entry) {
        return entry.definition().toJson(entry.secrets());
    }

    static NotFound notFound(String id) {
        return new NotFound("no MCP server '" + (ServerDefinition.ID.matcher(id).matches() ? id : "(that id)")
                + "' is registered", "server_not_found");
    }
}
