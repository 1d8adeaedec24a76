package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Stage;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.error.PermissionDenied;
import dev.smartflow.core.exchange.Attribute;
import dev.smartflow.core.exchange.Attributes;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.keys.Authenticator;
import dev.smartflow.core.model.Usd;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.McpStore;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The MCP gateway's HTTP API on the proxy port, beside the endpoints: the tool catalog, tool search, usage and logs,
 * and access requests. Routes a key holder uses run through the pipeline as module operations (authenticated,
 * audited; not billed) and answer what the caller may see: a virtual key sees the tools it may use and its own usage,
 * logs and requests; the master key sees everything. Deciding access requests and managing grants take the master
 * key.
 *
 * <ul>
 *   <li>{@code GET /api/mcp/tools}: {@code {"success", "total", "tools": [{server_id, server_name, name,
 *       qualified_name, description, input_schema, output_schema?}]}}</li>
 *   <li>{@code GET /api/mcp/tools/search?q=&k=} and {@code GET /api/mcp/tools/index}: see {@link ToolSearch}</li>
 *   <li>{@code GET /api/mcp/usage[?since=][&key_id=]}: calls, errors and cost per server and tool</li>
 *   <li>{@code GET /api/mcp/logs[?limit=][&server_id=][&since=][&key_id=]}: one entry per call, newest first</li>
 *   <li>{@code POST /api/mcp/access-requests} {@code {server_id, tool?, reason?}} (a virtual key);
 *       {@code GET /api/mcp/access-requests[?status=]}; {@code POST /api/mcp/access-requests/{id}/approve} and
 *       {@code .../deny} {@code {note?}} (master)</li>
 *   <li>{@code GET/POST/DELETE /api/mcp/grants} (master): grants made without a request, and revocation</li>
 * </ul>
 */
final class McpApi {
    static final Attribute<ApiCall> CALL = Attribute.of("mcp-api-call", ApiCall.class);
    static final ModuleOperation TOOLS = new ModuleOperation("mcp.tools", "/api/mcp/tools", false, false);
    static final ModuleOperation SEARCH = new ModuleOperation("mcp.tools.search", "/api/mcp/tools/search", false,
            false);
    static final ModuleOperation INDEX = new ModuleOperation("mcp.tools.index", "/api/mcp/tools/index", false,
            false);
    static final ModuleOperation USAGE = new ModuleOperation("mcp.usage", "/api/mcp/usage", false, false);
    static final ModuleOperation LOGS = new ModuleOperation("mcp.logs", "/api/mcp/logs", false, false);
    static final ModuleOperation REQUEST_ACCESS = new ModuleOperation("mcp.access-requests.create",
            "/api/mcp/access-requests", false, false);
    static final ModuleOperation ACCESS_REQUESTS = new ModuleOperation("mcp.access-requests",
            "/api/mcp/access-requests", false, false);
    private static final Set<ModuleOperation> OPERATIONS = Set.of(TOOLS, SEARCH, INDEX, USAGE, LOGS, REQUEST_ACCESS,
            ACCESS_REQUESTS);
    private static final Set<String> REQUEST_FIELDS = Set.of("server_id", "tool", "reason");
    private static final Set<String> GRANT_FIELDS = Set.of("key_id", "server_id", "tool");
    private static final Set<String> DECISION_FIELDS = Set.of("note");
    private static final int MAX_LOGS = 1000;

    /** The query parameters of an API request, for the stage that answers it. */
    record ApiCall(Map<String, String> query) {
        ApiCall {
            query = Map.copyOf(query);
        }

        Optional<String> param(String name) {
            return Optional.ofNullable(query.get(name)).filter(v -> !v.isBlank());
        }
    }

    private final Registry registry;
    private final Catalog catalog;
    private final Access access;
    private final McpStore store;
    private final CallLog log;
    private final ToolSearch search;
    private final Authenticator master;
    private final InstantSource clock;

    McpApi(Registry registry, Catalog catalog, Access access, McpStore store, CallLog log, ToolSearch search,
           Authenticator master, InstantSource clock) {
        this.registry = registry;
        this.catalog = catalog;
        this.access = access;
        this.store = store;
        this.log = log;
        this.search = search;
        this.master = master;
        this.clock = clock;
    }

    /** Answers the API's operations (at the {@code AUTHENTICATED} slot). */
    Stage stage() {
        return (exchange, chain) -> {
            if (!(exchange.operation() instanceof ModuleOperation operation) || !OPERATIONS.contains(operation)) {
                return chain.proceed(exchange);
            }
            ApiCall call = exchange.get(CALL).orElse(new ApiCall(Map.of()));
            ObjectNode answer;
            int status = 200;
            if (operation.equals(TOOLS)) {
                answer = tools(exchange.principal());
            } else if (operation.equals(SEARCH)) {
                answer = search.search(exchange.principal(), call.param("q").orElseThrow(
                        () -> new InvalidRequest("missing query parameter 'q'", "invalid_request", "q")),
                        count(call, "k", 5, 100), this::visibleTools);
            } else if (operation.equals(INDEX)) {
                answer = search.index(exchange.principal(), this::visibleTools);
            } else if (operation.equals(USAGE)) {
                answer = usage(exchange.principal(), call);
            } else if (operation.equals(LOGS)) {
                answer = logs(exchange.principal(), call);
            } else if (operation.equals(REQUEST_ACCESS)) {
                answer = requestAccess(exchange);
                status = 201;
            } else {
                answer = accessRequests(exchange.principal(), call);
            }
            return new Response.Complete(status, Headers.EMPTY, Body.of(answer));
        };
    }

    /** Adds the routes: key-holder routes through the pipeline, master routes directly. */
    void register(JavalinConfig app, Function<ModuleOperation, Handler> pipelineRoute) {
        app.routes.get("/api/mcp/tools", pipelineRoute.apply(TOOLS));
        app.routes.get("/api/mcp/tools/search", pipelineRoute.apply(SEARCH));
        app.routes.get("/api/mcp/tools/index", pipelineRoute.apply(INDEX));
        app.routes.get("/api/mcp/usage", pipelineRoute.apply(USAGE));
        app.routes.get("/api/mcp/logs", pipelineRoute.apply(LOGS));
        app.routes.post("/api/mcp/access-requests", pipelineRoute.apply(REQUEST_ACCESS));
        app.routes.get("/api/mcp/access-requests", pipelineRoute.apply(ACCESS_REQUESTS));
        app.routes.post("/api/mcp/access-requests/{id}/approve", ctx -> decide(ctx, true));
        app.routes.post("/api/mcp/access-requests/{id}/deny", ctx -> decide(ctx, false));
        app.routes.get("/api/mcp/grants", this::grants);
        app.routes.post("/api/mcp/grants", this::grant);
        app.routes.delete("/api/mcp/grants", this::revoke);
    }

    /** The query parameters of a request, as the pipeline route's attributes. */
    static Attributes attributes(Context ctx) {
        Map<String, String> query = new HashMap<>();
        ctx.queryParamMap().forEach((name, values) -> {
            if (!values.isEmpty() && name.length() <= 64) {
                query.put(name, values.getFirst());
            }
        });
        return Attributes.EMPTY.with(CALL, new ApiCall(query));
    }

    // --- the catalog

    /** One usable tool: its server and its definition. */
    record VisibleTool(Registry.Entry server, ObjectNode tool) {
        String name() {
            return tool.path("name").asText();
        }

        String qualifiedName() {
            return server.id() + "." + name();
        }
    }

    /** Every tool {@code principal} may use, across servers, in the registry's and each server's order. */
    List<VisibleTool> visibleTools(Principal principal) {
        List<VisibleTool> tools = new ArrayList<>();
        for (Registry.Entry entry : registry.all()) {
            if (!access.mayUseServer(principal, entry.definition())) {
                continue;
            }
            List<ObjectNode> listed;
            try {
                listed = catalog.listing(entry).tools();
            } catch (RpcError e) {
                continue;
            }
            for (ObjectNode tool : listed) {
                if (access.mayUseTool(principal, entry.definition(), tool.path("name").asText())) {
                    tools.add(new VisibleTool(entry, tool));
                }
            }
        }
        return tools;
    }

    private ObjectNode tools(Principal principal) {
        ObjectNode answer = ApiJson.success();
        ArrayNode tools = answer.putArray("tools");
        for (VisibleTool visible : visibleTools(principal)) {
            ObjectNode tool = tools.addObject().put("server_id", visible.server().id())
                    .put("server_name", visible.server().definition().name()).put("name", visible.name())
                    .put("qualified_name", visible.qualifiedName())
                    .put("description", visible.tool().path("description").asText(""));
            tool.set("input_schema", visible.tool().path("inputSchema"));
            if (visible.tool().has("outputSchema")) {
                tool.set("output_schema", visible.tool().get("outputSchema"));
            }
        }
        answer.put("total", tools.size());
        return answer;
    }

    // --- usage and logs

    /** Whose records {@code principal} reads: its own key's, or (the master key) any key's it names. */
    private static Optional<KeyId> scope(Principal principal, ApiCall call) {
        if (principal.key().isPresent()) {
            return principal.key().map(VirtualKey::id);
        }
        if (principal.kind() != Principal.Kind.MASTER) {
            throw new PermissionDenied("the MCP usage and logs are for virtual keys and the master key",
                    "permission_denied");
        }
        return call.param("key_id").map(KeyId::of);
    }

    private ObjectNode usage(Principal principal, ApiCall call) {
        Optional<KeyId> key = scope(principal, call);
        Optional<Instant> since = since(call);
        log.flush();
        ObjectNode answer = ApiJson.success();
        key.ifPresent(k -> answer.put("key_id", k.value()));
        since.ifPresent(s -> answer.put("since", s.toString()));
        ArrayNode rows = answer.putArray("usage");
        long calls = 0;
        long cost = 0;
        for (McpStore.Usage usage : store.usage(key, since)) {
            rows.addObject().put("server_id", usage.serverId()).put("tool", usage.tool())
                    .put("calls", usage.calls()).put("errors", usage.errors())
                    .set("cost_usd", Usd.number(usage.costMicros()));
            calls += usage.calls();
            cost += usage.costMicros();
        }
        answer.put("total_calls", calls).set("total_cost_usd", Usd.number(cost));
        return answer;
    }

    private ObjectNode logs(Principal principal, ApiCall call) {
        Optional<KeyId> key = scope(principal, call);
        McpStore.CallQuery query = new McpStore.CallQuery(count(call, "limit", 100, MAX_LOGS), key,
                call.param("server_id"), since(call));
        log.flush();
        ObjectNode answer = ApiJson.success();
        ArrayNode logs = answer.putArray("logs");
        for (McpStore.Call entry : store.calls(query)) {
            ObjectNode row = logs.addObject().put("request_id", entry.id()).put("trace_id", entry.traceId())
                    .put("timestamp", entry.at().toString());
            entry.key().ifPresentOrElse(k -> row.put("key_id", k.value()), () -> row.putNull("key_id"));
            row.put("tenant", entry.tenant()).put("server_id", entry.serverId()).put("tool", entry.tool())
                    .put("method", entry.method()).put("status", entry.status());
            entry.error().ifPresentOrElse(e -> row.put("error", e), () -> row.putNull("error"));
            row.set("cost_usd", Usd.number(entry.costMicros()));
            row.put("latency_ms", entry.latencyMicros() / 1000.0);
        }
        answer.put("total", logs.size());
        return answer;
    }

    private static Optional<Instant> since(ApiCall call) {
        return call.param("since").map(text -> {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new InvalidRequest("'since' must be an ISO-8601 instant, e.g. 2026-11-01T00:00:00Z",
                        "invalid_request", "since");
            }
        });
    }

    private static int count(ApiCall call, String name, int fallback, int max) {
        Optional<String> value = call.param(name);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.get());
            if (parsed >= 1 && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new InvalidRequest("'" + name + "' must be a whole number from 1 to " + max, "invalid_request", name);
    }

    // --- access requests and grants

    private ObjectNode requestAccess(Exchange exchange) {
        VirtualKey key = exchange.principal().key().orElseThrow(() -> new InvalidRequest("access requests are "
                + "made with the virtual key that needs the access", "invalid_request", null));
        JsonNode body;
        try {
            body = exchange.body().json();
        } catch (InvalidRequest e) {
            throw new InvalidRequest("the request body is not valid JSON", "invalid_json", null);
        }
        JsonFields fields = JsonFields.of(body, "", REQUEST_FIELDS);
        String serverId = fields.requiredText("server_id", 64);
        Registry.Entry server = registry.get(serverId).orElseThrow(() -> RegistryRoutes.notFound(serverId));
        String tool = fields.text("tool", ServerDefinition.MAX_TOOL_NAME).filter(t -> !t.isBlank())
                .orElse(McpStore.EVERY_TOOL);
        if (!tool.equals(McpStore.EVERY_TOOL) && (!Access.exists(server.definition(), tool)
                || catalog.listing(server).tools().stream().noneMatch(t -> t.path("name").asText().equals(tool)))) {
            throw new InvalidRequest("MCP server '" + serverId + "' offers no tool '" + tool + "'", "invalid_request",
                    "tool");
        }
        String reason = fields.text("reason", 2000).orElse("");
        McpStore.AccessRequest request = McpStore.AccessRequest.pending("mcpreq_" + UUID.randomUUID()
                .toString().replace("-", ""), key.id(), serverId, tool, reason, clock.instant());
        store.requestAccess(request);
        return ApiJson.success().put("message", "access requested; an administrator decides")
                .set("request", view(request));
    }

    private ObjectNode accessRequests(Principal principal, ApiCall call) {
        Optional<KeyId> key = scope(principal, call);
        Optional<McpStore.Status> status = call.param("status").map(s -> switch (s) {
            case "pending" -> McpStore.Status.PENDING;
            case "approved" -> McpStore.Status.APPROVED;
            case "denied" -> McpStore.Status.DENIED;
            default -> throw new InvalidRequest("'status' must be pending, approved or denied", "invalid_request",
                    "status");
        });
        ObjectNode answer = ApiJson.success();
        ArrayNode requests = answer.putArray("requests");
        store.accessRequests(key, status).forEach(r -> requests.add(view(r)));
        answer.put("total", requests.size());
        return answer;
    }

    private void decide(Context ctx, boolean approve) {
        Services.requireKey(ctx, master);
        String id = ctx.pathParam("id");
        JsonNode body = ctx.bodyAsBytes().length == 0 ? Body.MAPPER.createObjectNode() : ApiJson.object(ctx);
        Optional<String> note = JsonFields.of(body, "", DECISION_FIELDS).text("note", 2000);
        McpStore.AccessRequest decided = store.decide(id, approve, clock.instant(), note).orElseThrow(() -> {
            boolean exists = store.accessRequest(id).isPresent();
            return exists ? new InvalidRequest("access request '" + id + "' was decided already",
                    "already_decided", null) : new NotFound("no access request '" + (id.length() > 64 ? "(that id)"
                    : id) + "'", "access_request_not_found");
        });
        if (approve) {
            access.changed();
        }
        ApiJson.answer(ctx, 200, ApiJson.success().set("request", view(decided)));
    }

    private void grants(Context ctx) {
        Services.requireKey(ctx, master);
        ObjectNode answer = ApiJson.success();
        ArrayNode grants = answer.putArray("grants");
        store.grants().forEach(g -> grants.addObject().put("key_id", g.key().value()).put("server_id", g.serverId())
                .put("tool", g.tool()).put("granted_at", g.grantedAt().toString()));
        answer.put("total", grants.size());
        ApiJson.answer(ctx, 200, answer);
    }

    private void grant(Context ctx) {
        Services.requireKey(ctx, master);
        McpStore.Grant grant = grantOf(ApiJson.object(ctx));
        boolean created = store.grant(grant);
        access.changed();
        ApiJson.answer(ctx, created ? 201 : 200, ApiJson.success().put("created", created));
    }

    private void revoke(Context ctx) {
        Services.requireKey(ctx, master);
        McpStore.Grant grant = grantOf(ApiJson.object(ctx));
        if (!store.revoke(grant.key(), grant.serverId(), grant.tool())) {
            throw new NotFound("no such grant", "grant_not_found");
        }
        access.changed();
        ApiJson.answer(ctx, 200, ApiJson.success().put("revoked", true));
    }

    private McpStore.Grant grantOf(JsonNode body) {
        JsonFields fields = JsonFields.of(body, "", GRANT_FIELDS);
        String key = fields.requiredText("key_id", JsonFields.MAX_TEXT);
        String server = fields.requiredText("server_id", 64);
        if (registry.get(server).isEmpty()) {
            throw RegistryRoutes.notFound(server);
        }
        String tool = fields.text("tool", ServerDefinition.MAX_TOOL_NAME).filter(t -> !t.isBlank())
                .orElse(McpStore.EVERY_TOOL);
        return new McpStore.Grant(KeyId.of(key), server, tool, clock.instant());
    }

    private static ObjectNode view(McpStore.AccessRequest request) {
        ObjectNode json = Body.MAPPER.createObjectNode().put("id", request.id())
                .put("key_id", request.key().value()).put("server_id", request.serverId())
                .put("tool", request.tool()).put("reason", request.reason())
                .put("status", request.status().name().toLowerCase(Locale.ROOT))
                .put("created_at", request.createdAt().toString());
        request.decidedAt().ifPresentOrElse(t -> json.put("decided_at", t.toString()), () -> json.putNull(
                "decided_at"));
        request.note().ifPresentOrElse(n -> json.put("note", n), () -> json.putNull("note"));
        return json;
    }
}
