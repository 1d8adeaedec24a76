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
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The server registry over HTTP on the proxy port, for the master key: {@code POST /api/mcp/servers} registers,
 * {@code GET} lists or shows one, {@code PUT /api/mcp/servers/{id}} replaces (or creates), {@code DELETE} removes.
 * Answers carry every field but the secrets, which show only as {@code has_token}-style flags and stdio variable
 * names; a replacement that leaves a secret out keeps the stored one.
 */
final class RegistryRoutes {
    static final String SERVERS = "/api/mcp/servers";
    private static final Set<String> GENERATE_FIELDS = Set.of("spec", "server_id", "server_name", "base_url",
            "include_methods", "description", "auth_type", "auth", "allowed_tools", "disallowed_tools",
            "allowed_params", "cost_info", "guardrail_mode", "available_on_public_internet");

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
        app.routes.post("/api/mcp/generate", this::generate);
    }

    /**
     * {@code POST /api/mcp/generate}: registers a server made of an OpenAPI spec's operations (see
     * {@link OpenApiGenerator}). Takes {@code spec} (the document as a string, JSON or YAML, or as a JSON object),
     * {@code server_id}, {@code server_name}, {@code base_url} (else the spec's first server) and
     * {@code include_methods} (default GET, POST, PUT, PATCH, DELETE), and any registration field besides
     * ({@code auth_type}, {@code auth}, {@code cost_info}, the tool lists, ...).
     */
    private void generate(Context ctx) {
        Services.requireKey(ctx, master);
        JsonNode body = ApiJson.object(ctx);
        JsonFields fields = JsonFields.of(body, "", GENERATE_FIELDS);
        String id = fields.requiredText("server_id", 64);
        if (registry.previous(id).isPresent()) {
            throw GatewayError.of(409, "invalid_request_error", "server_exists", "an MCP server with id '"
                    + (ServerDefinition.ID.matcher(id).matches() ? id : "(that id)") + "' is registered already");
        }
        JsonNode specNode = fields.raw("spec");
        String spec = specNode.isTextual() ? specNode.textValue() : specNode.isObject() ? specNode.toString() : "";
        if (spec.isBlank()) {
            throw JsonFields.invalid("missing required field 'spec': the OpenAPI document, JSON or YAML", "spec");
        }
        List<String> methods = fields.texts("include_methods", 16).stream()
                .map(m -> m.toUpperCase(Locale.ROOT)).toList();
        for (String method : methods) {
            if (!OpenApiOperation.METHODS.contains(method)) {
                throw JsonFields.invalid("'include_methods' holds " + method + ", which is not an HTTP method",
                        "include_methods");
            }
        }
        ObjectNode registration = ((ObjectNode) body).deepCopy();
        registration.remove(List.of("spec", "server_id", "server_name", "base_url", "include_methods"));
        registration.put("id", id);
        fields.text("server_name", JsonFields.MAX_TEXT).ifPresent(name -> registration.put("name", name));
        registration.set("openapi", OpenApiGenerator.transport(spec, fields.text("base_url", 2048),
                methods.isEmpty() ? OpenApiGenerator.DEFAULT_METHODS : methods));
        ServerDefinition.Parsed parsed = ServerDefinition.parse(registration, Optional.empty(), Optional.empty(),
                clock.instant());
        registry.put(parsed);
        ObjectNode answer = ApiJson.success();
        ArrayNode tools = answer.putArray("tools");
        ((ServerDefinition.OpenApi) parsed.definition().transport()).operations()
                .forEach(operation -> tools.add(operation.name()));
        answer.set("server", view(id));
        ApiJson.answer(ctx, 201, answer);
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
