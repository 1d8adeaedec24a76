package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.Ticker;
import dev.smartflow.core.audit.Facts;
import dev.smartflow.core.audit.Trail;
import dev.smartflow.core.budget.WorstCase;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.error.BudgetExceeded;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.RateLimited;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.error.StateUnavailable;
import dev.smartflow.core.exchange.Attribute;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.metrics.Metrics;
import dev.smartflow.core.model.Cost;
import dev.smartflow.core.model.Usd;
import dev.smartflow.core.runs.RunCall;
import dev.smartflow.core.runs.RunRefused;
import dev.smartflow.core.runs.RunStage;
import dev.smartflow.core.spi.McpStore;
import dev.smartflow.core.spi.VirtualKey;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The MCP endpoints clients use: {@code /{server_id}/mcp} for one server, {@code /mcp} for every server the caller may
 * use (tools named {@code server_id.tool}). To clients the gateway is an MCP server of every revision it knows; each
 * request is answered here, from the catalog or by the upstream in the revision the upstream speaks.
 *
 * <p><b>Where it runs.</b> Its stage sits at {@link dev.smartflow.core.Slot#AUTHENTICATED}: the caller is known, and
 * nothing has been held against its budget yet. Everything but {@code tools/call} is answered there (listing tools
 * is free, and works for a key whose budget is spent). A {@code tools/call} that passes the checks goes on down the
 * pipeline with its price as the exchange's {@link WorstCase}: the budget stage holds it, and the
 * {@link #toolCalls() tool-call stage} at {@link dev.smartflow.core.Slot#BEFORE_ROUTE} calls the upstream and
 * records the price as the call's cost (nothing when the upstream failed, so the hold is released). A refusal on the
 * way (budget, rate limit, shared state down) comes back here and is answered as a JSON-RPC error.
 *
 * <p><b>Revisions.</b> A request whose {@code _meta} names a protocol version (or that is {@code server/discover} or
 * {@code subscriptions/listen}) is of the 2026-07-28 revision: served without a session after checking its
 * {@code _meta} and its mirrored headers. Any other is legacy: {@code initialize} opens a session
 * ({@code Mcp-Session-Id}, kept in the shared state, see {@link Sessions}); a request without a session header is
 * served statelessly as the revision its {@code MCP-Protocol-Version} names (2025-03-26 when it names none).
 *
 * <p><b>Answers.</b> JSON-RPC errors for bad input, never a 500: -32700 (not JSON), -32600 (not a request), -32601
 * (no such method), -32602 (bad params, unknown or forbidden tools), the 2026-07-28 codes with their HTTP 400/404, and
 * the gateway's own outside the reserved range (see {@link RpcError}). A result goes out as JSON, or as one SSE
 * event to a client that accepts only event streams.
 */
final class McpEndpoint {
    static final ModuleOperation RPC = new ModuleOperation("mcp.rpc", "/mcp", true, true);
    static final Attribute<ToolCall> TOOL_CALL = Attribute.of("mcp-tool-call", ToolCall.class);
    static final String META_VERSION = "io.modelcontextprotocol/protocolVersion";
    static final String META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    static final String META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";
    static final String META_SUBSCRIPTION = "io.modelcontextprotocol/subscriptionId";
    /** How long a modern client may keep a list: lists change, and list-changed notifications tell of it. */
    static final long LIST_TTL_MS = 60_000;
    private static final Set<String> MODERN_ONLY = Set.of("server/discover", "subscriptions/listen");
    private static final int MAX_BATCH = 100;
    private static final String RESOURCE_SCHEME = "smartflow";
    private static final System.Logger LOG = System.getLogger(McpEndpoint.class.getName());

    /** What the tool-call stage needs: the server, the call as the upstream gets it, and its price. */
    record ToolCall(Registry.Entry entry, UpstreamCall call, long priceMicros) {
    }

    private final Registry registry;
    private final Catalog catalog;
    private final Upstreams upstreams;
    private final Access access;
    private final Sessions sessions;
    private final ChangeFeed feed;
    private final CallLog log;
    private final McpGuardrail guardrail;
    private final Metrics metrics;
    private final McpSettings settings;
    private final InstantSource clock;
    private final Ticker ticker;
    private final BiFunction<Registry.Entry, Principal, Optional<String>> userTokens;
    private final InFlight inFlight;
    private final Subscriptions subscriptions;

    McpEndpoint(Registry registry, Catalog catalog, Upstreams upstreams, Access access, Sessions sessions,
                ChangeFeed feed, CallLog log, McpGuardrail guardrail, Metrics metrics, McpSettings settings,
                InstantSource clock, Ticker ticker, BiFunction<Registry.Entry, Principal, Optional<String>> userTokens,
                InFlight inFlight, Subscriptions subscriptions) {
        this.registry = registry;
        this.catalog = catalog;
        this.upstreams = upstreams;
        this.access = access;
        this.sessions = sessions;
        this.feed = feed;
        this.log = log;
        this.guardrail = guardrail;
        this.metrics = metrics;
        this.settings = settings;
        this.clock = clock;
        this.ticker = ticker;
        this.userTokens = userTokens;
        this.inFlight = inFlight;
        this.subscriptions = subscriptions;
    }

    /** The stage that answers MCP requests (at the {@code AUTHENTICATED} slot). */
    Stage stage() {
        return (exchange, chain) -> exchange.operation().equals(RPC) ? handle(exchange, chain)
                : chain.proceed(exchange);
    }

    /** The stage that makes the upstream call of a {@code tools/call} (at the {@code BEFORE_ROUTE} slot). */
    Stage toolCalls() {
        return (exchange, chain) -> {
            Optional<ToolCall> call = exchange.get(TOOL_CALL);
            if (!exchange.operation().equals(RPC) || call.isEmpty()) {
                return chain.proceed(exchange);
            }
            ObjectNode answer = upstreams.of(call.get().entry()).request(call.get().call());
            // the upstream ran the call: it costs its price, whatever the tool answered
            exchange.get(CostMeter.KEY).ifPresent(meter -> meter.recordModuleCost(
                    Cost.priced(call.get().priceMicros())));
            return Response.Complete.json(Body.of(answer));
        };
    }

    // --- one request

    /** A request being served: who, where, in which revision, for which upstream owner. */
    private record Request(Exchange exchange, Chain chain, HttpFacts http, JsonRpc.Message message,
                           ProtocolVersion version, Optional<Sessions.Session> session, String owner,
                           boolean batched) {
        /** This request as one message of a batch: answered as JSON, into the batch's array. */
        Request inBatch() {
            return new Request(exchange, chain, http, message, version, session, owner, true);
        }

        Principal principal() {
            return exchange.principal();
        }

        boolean modern() {
            return version.modern();
        }

        boolean aggregate() {
            return http.serverId().isEmpty();
        }
    }

    private Response handle(Exchange exchange, Chain chain) {
        HttpFacts http = exchange.get(HttpFacts.KEY).orElseThrow();
        try {
            checkOrigin(http);
            http.serverId().ifPresent(id -> server(id, exchange.principal(), http));
            return switch (http.method()) {
                case "GET" -> stream(exchange, http);
                case "DELETE" -> endSession(exchange, http);
                default -> post(exchange, chain, http);
            };
        } catch (RpcError e) {
            return error(JsonRpc.NODES.nullNode(), e, http);
        }
    }

    private void checkOrigin(HttpFacts http) {
        Optional<String> origin = http.header("origin");
        if (origin.isEmpty() || settings.allowedOrigins().contains(origin.get())) {
            return;
        }
        String host = http.header("host").orElse("");
        try {
            URI uri = new URI(origin.get());
            String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            if (uri.getHost() != null && (authority.equalsIgnoreCase(host) || uri.getHost().equalsIgnoreCase(host))) {
                return;
            }
        } catch (URISyntaxException e) {
            // not an origin at all: refused below
        }
        throw RpcError.of(RpcError.FORBIDDEN, "requests from origin " + (origin.get().length() > 200 ? "(long)"
                : origin.get()) + " are not allowed (mcp.allowed_origins)").withStatus(403).because("origin");
    }

    /** The server of a per-server endpoint, if the caller may use it; a JSON-RPC error (404 or 403) if not. */
    private Registry.Entry server(String id, Principal principal, HttpFacts http) {
        Registry.Entry entry = registry.get(id).orElseThrow(() -> RpcError.of(RpcError.INVALID_REQUEST,
                "no MCP server '" + (ServerDefinition.ID.matcher(id).matches() ? id : "(that id)")
                        + "' is registered").withStatus(404).because("server_not_found"));
        if (!access.reachable(entry.definition(), http.address())) {
            throw RpcError.of(RpcError.FORBIDDEN, "MCP server '" + id + "' is not available from your network")
                    .withStatus(403).because("network_not_allowed");
        }
        if (!access.mayUseServer(principal, entry.definition())) {
            throw RpcError.of(RpcError.FORBIDDEN, "this key may not use MCP server '" + id + "'; ask for access with"
                    + " POST /api/mcp/access-requests").withStatus(403).because("server_not_allowed");
        }
        return entry;
    }

    private Response post(Exchange exchange, Chain chain, HttpFacts http) {
        JsonNode json;
        try {
            json = exchange.body().json();
        } catch (InvalidRequest e) {
            throw RpcError.of(RpcError.PARSE_ERROR, "the body is not JSON").withStatus(400).because("parse_error");
        }
        if (json.isMissingNode()) {
            throw RpcError.of(RpcError.PARSE_ERROR, "the body is empty: send a JSON-RPC message")
                    .withStatus(400).because("parse_error");
        }
        if (json.isArray()) {
            return batch(exchange, chain, http, (ArrayNode) json);
        }
        JsonRpc.Message message = JsonRpc.parse(json);
        JsonNode id = message.id();
        Request request;
        try {
            JsonNode meta = message.params().path("_meta");
            boolean modern = meta.has(META_VERSION) || MODERN_ONLY.contains(message.method());
            request = modern ? modern(exchange, chain, http, message) : legacy(exchange, chain, http, message);
        } catch (RpcError e) {
            return error(id, e, http);
        }
        if (message.kind() != JsonRpc.Kind.REQUEST) {
            // notifications (initialized, cancelled, roots changed) and responses: accepted, nothing to answer
            cancelIfAsked(request);
            return new Response.Complete(202, Headers.EMPTY, Body.EMPTY);
        }
        try {
            return dispatch(request);
        } catch (RpcError e) {
            RpcError shown = request.modern() && e.code() == RpcError.METHOD_NOT_FOUND && e.httpStatus() == 200
                    ? e.withStatus(404) : e;
            return error(id, shown, http);
        }
    }

    /** A {@code notifications/cancelled} cancels the caller's own request of that id, on whichever instance runs it. */
    private void cancelIfAsked(Request request) {
        JsonRpc.Message message = request.message();
        JsonNode cancelled = message.params().path("requestId");
        if (message.method().equals("notifications/cancelled")
                && (cancelled.isTextual() || cancelled.isIntegralNumber())) {
            inFlight.cancel(request.owner(), cancelled);
        }
    }

    /**
     * A JSON-RPC batch, which only the 2025-03-26 revision has: each message served in turn (notifications and
     * responses answer nothing), the responses answered together as an array, or 202 when there are none.
     * {@code initialize} may not be batched (as that revision says), and a batch carries at most one
     * {@code tools/call}: each tool call is one budgeted, audited pipeline exchange. Clients of later revisions get
     * -32600 for a batch, as before.
     */
    private Response batch(Exchange exchange, Chain chain, HttpFacts http, ArrayNode messages) {
        // the session and revision, checked once for the whole batch (a 404 or 400 for all of it)
        JsonRpc.Message probe = new JsonRpc.Message(JsonRpc.Kind.NOTIFICATION, JsonRpc.NODES.nullNode(), "batch",
                JsonRpc.NODES.objectNode());
        Request whole = legacy(exchange, chain, http, probe);
        if (whole.version() != ProtocolVersion.V2025_03_26) {
            throw RpcError.of(RpcError.INVALID_REQUEST, "JSON-RPC batches are not supported in MCP "
                    + whole.version().id() + ": send one message per request").withStatus(400);
        }
        if (messages.isEmpty() || messages.size() > MAX_BATCH) {
            throw RpcError.of(RpcError.INVALID_REQUEST, "a batch holds 1 to " + MAX_BATCH + " messages")
                    .withStatus(400);
        }
        ArrayNode answers = JsonRpc.NODES.arrayNode();
        boolean toolCalled = false;
        for (JsonNode json : messages) {
            JsonNode id = json.path("id").isTextual() || json.path("id").isIntegralNumber() ? json.get("id")
                    : JsonRpc.NODES.nullNode();
            try {
                JsonRpc.Message message = JsonRpc.parse(json);
                Request request = legacy(exchange, chain, http, message).inBatch();
                if (message.kind() != JsonRpc.Kind.REQUEST) {
                    cancelIfAsked(request);
                    continue;
                }
                if (message.method().equals("initialize")) {
                    throw RpcError.of(RpcError.INVALID_REQUEST, "initialize must not be part of a batch");
                }
                if (message.method().equals("tools/call")) {
                    if (toolCalled) {
                        throw RpcError.of(RpcError.INVALID_REQUEST, "a batch carries at most one tools/call through"
                                + " this gateway: send the others in their own requests");
                    }
                    toolCalled = true;
                }
                answers.add(message(dispatch(request)));
            } catch (RpcError e) {
                answers.add(JsonRpc.error(id, e));
            }
        }
        if (answers.isEmpty()) {
            return new Response.Complete(202, Headers.EMPTY, Body.EMPTY);
        }
        if (http.wantsEventStream()) {
            List<Chunk> events = new ArrayList<>();
            answers.forEach(answer -> events.add(Chunk.data(Body.of(answer))));
            return new Response.Streamed(200, Headers.EMPTY, ChunkStream.of(events));
        }
        return new Response.Complete(200, Headers.of("content-type", "application/json"), Body.of(answers));
    }

    private Request modern(Exchange exchange, Chain chain, HttpFacts http, JsonRpc.Message message) {
        JsonNode meta = message.params().path("_meta");
        JsonNode version = meta.path(META_VERSION);
        if (!version.isTextual()) {
            throw RpcError.of(RpcError.INVALID_PARAMS, "_meta must carry " + META_VERSION).withStatus(400);
        }
        if (!meta.path(META_CAPABILITIES).isObject()) {
            throw RpcError.of(RpcError.INVALID_PARAMS, "_meta must carry " + META_CAPABILITIES + " (an object)")
                    .withStatus(400);
        }
        ProtocolVersion parsed = ProtocolVersion.parse(version.textValue()).filter(ProtocolVersion::modern)
                .orElseThrow(() -> unsupported(version.textValue()));
        requireHeader(http, "mcp-protocol-version", parsed.id(), "MCP-Protocol-Version");
        requireHeader(http, "mcp-method", message.method(), "Mcp-Method");
        Optional<String> name = McpHeaders.name(message.method(), message.params());
        if (name.isPresent()) {
            String header = http.header("mcp-name").orElseThrow(() -> mismatch("the Mcp-Name header is missing"));
            if (!McpHeaders.decode(header).equals(name)) {
                throw mismatch("the Mcp-Name header does not match the body");
            }
        }
        return new Request(exchange, chain, http, message, parsed, Optional.empty(),
                "caller:" + Sessions.caller(exchange.principal()), false);
    }

    private static RpcError unsupported(String requested) {
        ObjectNode data = JsonRpc.NODES.objectNode();
        ArrayNode supported = data.putArray("supported");
        ProtocolVersion.allIds().forEach(supported::add);
        data.put("requested", requested.length() > 64 ? requested.substring(0, 64) : requested);
        return RpcError.of(RpcError.UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version").withData(data)
                .withStatus(400);
    }

    private static void requireHeader(HttpFacts http, String name, String expected, String shown) {
        String value = http.header(name).orElseThrow(() -> mismatch("the " + shown + " header is missing"));
        if (!value.equals(expected)) {
            throw mismatch("the " + shown + " header does not match the body");
        }
    }

    private static RpcError mismatch(String message) {
        return RpcError.of(RpcError.HEADER_MISMATCH, "Header mismatch: " + message).withStatus(400);
    }

    private Request legacy(Exchange exchange, Chain chain, HttpFacts http, JsonRpc.Message message) {
        Optional<String> versionHeader = http.header("mcp-protocol-version");
        Optional<ProtocolVersion> named = Optional.empty();
        if (versionHeader.isPresent()) {
            named = Optional.of(ProtocolVersion.parse(versionHeader.get()).filter(v -> !v.modern() && v.served())
                    .orElseThrow(() -> RpcError.of(RpcError.INVALID_REQUEST, "unsupported MCP-Protocol-Version; "
                            + "this gateway speaks " + ProtocolVersion.allIds()).withStatus(400)));
        }
        Optional<Sessions.Session> session = Optional.empty();
        Optional<String> sessionId = http.header("mcp-session-id");
        if (sessionId.isPresent() && !message.method().equals("initialize")) {
            session = Optional.of(sessions.find(sessionId.get(), exchange.principal(), http.endpoint())
                    .orElseThrow(() -> RpcError.of(RpcError.INVALID_REQUEST, "session not found; initialize a new"
                            + " one").withStatus(404).because("session_not_found")));
            if (named.isPresent() && named.get() != session.get().version()) {
                throw RpcError.of(RpcError.INVALID_REQUEST, "MCP-Protocol-Version differs from the session's")
                        .withStatus(400);
            }
        }
        Optional<ProtocolVersion> fromHeader = named;
        ProtocolVersion version = session.map(Sessions.Session::version).or(() -> fromHeader)
                .orElse(ProtocolVersion.UNNAMED);
        String owner = session.map(s -> "session:" + s.id())
                .orElseGet(() -> "caller:" + Sessions.caller(exchange.principal()));
        return new Request(exchange, chain, http, message, version, session, owner, false);
    }

    /** A run refusal as the JSON-RPC error an MCP client reads: -31429 with the run's code in its data. */
    private static RpcError runRefused(RunRefused e) {
        String code = e.code().orElseThrow();
        return RpcError.of(RpcError.LIMITED, e.getMessage()).withData(JsonRpc.NODES.objectNode()
                .put("status", e.status()).put("code", code)).because(code);
    }

    private Response dispatch(Request request) {
        if (request.message().kind() == JsonRpc.Kind.REQUEST) {
            // a stopped run's reads too: this stage answers them before the run stage would refuse them
            Optional<RunRefused> stopped = request.exchange().get(RunStage.STOPPED);
            if (stopped.isPresent()) {
                throw runRefused(stopped.get());
            }
        }
        String method = request.message().method();
        boolean modern = request.modern();
        return switch (method) {
            case "initialize" -> {
                if (modern) {
                    throw notFound(method);
                }
                yield initialize(request);
            }
            case "ping" -> {
                if (modern) {
                    throw notFound(method);
                }
                yield result(request, JsonRpc.NODES.objectNode());
            }
            case "logging/setLevel" -> {
                if (modern) {
                    throw notFound(method);
                }
                // accepted: the gateway relays no log messages, at any level
                yield result(request, JsonRpc.NODES.objectNode());
            }
            case "server/discover" -> result(request, discover(request));
            case "tools/list" -> result(request, cacheable(request, toolsList(request)));
            case "tools/call" -> toolCall(request);
            case "resources/list" -> result(request, cacheable(request, mergedList(request, "resources/list",
                    "resources")));
            case "resources/templates/list" -> result(request, cacheable(request, mergedList(request,
                    "resources/templates/list", "resourceTemplates")));
            case "prompts/list" -> result(request, cacheable(request, mergedList(request, "prompts/list",
                    "prompts")));
            case "resources/read", "prompts/get", "completion/complete" -> forward(request);
            case "subscriptions/listen" -> listen(request);
            case "resources/subscribe", "resources/unsubscribe" -> {
                if (modern) {
                    throw notFound(method); // 2026-07-28 subscribes with subscriptions/listen
                }
                yield subscription(request);
            }
            default -> throw notFound(method);
        };
    }

    private static RpcError notFound(String method) {
        return RpcError.of(RpcError.METHOD_NOT_FOUND, "Method not found: " + (method.length() > 64
                ? method.substring(0, 64) + "…" : method));
    }

    // --- lifecycle

    private Response initialize(Request request) {
        JsonNode requested = request.message().params().path("protocolVersion");
        ProtocolVersion version = requested.isTextual() ? ProtocolVersion.parse(requested.textValue())
                .filter(v -> !v.modern() && v.served()).orElse(ProtocolVersion.LATEST_LEGACY)
                : ProtocolVersion.LATEST_LEGACY;
        Sessions.Session session = sessions.open(request.principal(), request.http().endpoint(), version);
        Request opened = new Request(request.exchange(), request.chain(), request.http(), request.message(), version,
                Optional.of(session), "session:" + session.id(), false);
        ObjectNode result = JsonRpc.NODES.objectNode().put("protocolVersion", version.id());
        result.set("capabilities", capabilities(opened));
        result.set("serverInfo", serverInfo(opened));
        instructions(opened).ifPresent(text -> result.put("instructions", text));
        return result(opened, result).withHeader(HttpUpstream.SESSION_HEADER, session.id());
    }

    private ObjectNode discover(Request request) {
        ObjectNode result = JsonRpc.NODES.objectNode();
        ArrayNode versions = result.putArray("supportedVersions");
        ProtocolVersion.allIds().forEach(versions::add);
        result.set("capabilities", capabilities(request));
        instructions(request).ifPresent(text -> result.put("instructions", text));
        return cacheable(request, result);
    }

    private ObjectNode capabilities(Request request) {
        ObjectNode capabilities = JsonRpc.NODES.objectNode();
        capabilities.putObject("tools").put("listChanged", true);
        Optional<ServerFacts> facts = request.http().serverId().flatMap(id -> registry.get(id))
                .flatMap(entry -> catalog.known(entry.id()).facts());
        if (facts.isEmpty() || facts.get().has("resources")) {
            ObjectNode resources = capabilities.putObject("resources");
            boolean subscribable = request.http().serverId().isPresent() ? facts.map(ServerFacts::subscribable)
                    .orElse(false) : visible(request).stream().anyMatch(entry -> catalog.known(entry.id()).facts()
                    .map(ServerFacts::subscribable).orElse(false));
            if (subscribable) {
                resources.put("subscribe", true);
            }
        }
        if (facts.isEmpty() || facts.get().has("prompts")) {
            capabilities.putObject("prompts");
        }
        if (facts.isPresent() && facts.get().has("completions")) {
            capabilities.putObject("completions");
        }
        return capabilities;
    }

    private ObjectNode serverInfo(Request request) {
        String name = request.http().serverId().flatMap(registry::get).map(e -> e.definition().name())
                .orElse("Smartflow MCP gateway");
        return JsonRpc.NODES.objectNode().put("name", "smartflow-mcp" + request.http().serverId().map(id -> "/" + id)
                .orElse("")).put("title", name).put("version", "0.1.0");
    }

    private Optional<String> instructions(Request request) {
        return request.http().serverId().flatMap(id -> catalog.known(id).facts()).flatMap(ServerFacts::instructions);
    }

    private Response endSession(Exchange exchange, HttpFacts http) {
        String id = http.header("mcp-session-id").orElseThrow(() -> RpcError.of(RpcError.INVALID_REQUEST,
                "DELETE ends a session: send its Mcp-Session-Id").withStatus(400));
        Sessions.Session session = sessions.find(id, exchange.principal(), http.endpoint())
                .orElseThrow(() -> RpcError.of(RpcError.INVALID_REQUEST, "session not found").withStatus(404));
        sessions.end(session);
        String owner = "session:" + session.id();
        for (Registry.Entry entry : registry.all()) {
            try {
                upstreams.of(entry).release(owner);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "ending the upstream session of " + entry.id() + ": " + e);
            }
        }
        return new Response.Complete(204, Headers.EMPTY, Body.EMPTY);
    }

    /** A legacy client's GET: a stream of {@code notifications/tools/list_changed} while its session lives. */
    private Response stream(Exchange exchange, HttpFacts http) {
        Optional<String> id = http.header("mcp-session-id");
        if (id.isPresent() && sessions.find(id.get(), exchange.principal(), http.endpoint()).isEmpty()) {
            throw RpcError.of(RpcError.INVALID_REQUEST, "session not found").withStatus(404);
        }
        // tagged with its session: the session's resource updates come on it too (from any instance)
        ChunkStream events = feed.stream(List.of(), () -> JsonRpc.notification("notifications/tools/list_changed",
                null), Optional.empty(), exchange.get(Cancellation.KEY), id, () -> { });
        return new Response.Streamed(200, Headers.EMPTY, events);
    }

    /**
     * A modern client's {@code subscriptions/listen}: acknowledged with what the gateway honours, then list changes
     * and the updates of the subscribed resources until it hangs up.
     */
    private Response listen(Request request) {
        JsonNode id = request.message().id();
        JsonNode wanted = request.message().params().path("notifications");
        boolean tools = wanted.path("toolsListChanged").asBoolean(false);
        JsonNode uris = wanted.path("resourceSubscriptions");
        if (!uris.isMissingNode() && !uris.isArray()) {
            throw RpcError.of(RpcError.INVALID_PARAMS, "resourceSubscriptions must be an array of resource URIs");
        }
        List<ResourceTarget> targets = new ArrayList<>();
        for (JsonNode uri : uris) {
            if (!uri.isTextual()) {
                throw RpcError.of(RpcError.INVALID_PARAMS, "resourceSubscriptions must be an array of resource URIs");
            }
            targets.add(resourceTarget(request, uri.textValue()));
        }
        String tag = "listen:" + UUID.randomUUID();
        Set<String> resources = new LinkedHashSet<>();
        List<String> honouredUris = new ArrayList<>();
        List<ResourceTarget> honouredTargets = new ArrayList<>();
        for (ResourceTarget target : targets) {
            Upstream upstream = upstreams.of(target.entry());
            UpstreamCall call = upstreamCall(target.entry(), request, "resources/subscribe", subscribeParams(request,
                    target), Optional.empty());
            if (!upstream.facts(call).subscribable()) {
                continue; // not offered (a 2026-07-28 upstream's own listen stream is not relayed): not honoured
            }
            String owner = request.owner();
            String serverId = target.entry().id();
            ObjectNode answer;
            try {
                answer = upstream.request(call);
            } catch (RpcError e) {
                continue; // the server failed: not honoured, the rest of the stream still is
            }
            if (answer.has("error")) {
                continue;
            }
            // after the subscribe: the owner's upstream session exists now, and its update stream belongs to it
            upstream.watch(call, message -> subscriptions.updated(serverId, owner, message));
            resources.add(Subscriptions.resource(serverId, target.uri()));
            honouredUris.add(target.named());
            honouredTargets.add(target);
        }
        ObjectNode ackParams = JsonRpc.NODES.objectNode();
        ackParams.putObject("_meta").set(META_SUBSCRIPTION, id);
        ObjectNode honoured = ackParams.putObject("notifications");
        if (tools) {
            honoured.put("toolsListChanged", true);
        }
        if (!honouredUris.isEmpty()) {
            ArrayNode list = honoured.putArray("resourceSubscriptions");
            honouredUris.forEach(list::add);
        }
        ObjectNode ack = JsonRpc.notification("notifications/subscriptions/acknowledged", ackParams);
        ObjectNode last = JsonRpc.result(id, JsonRpc.NODES.objectNode().put("resultType", "complete"));
        ((ObjectNode) last.get("result")).putObject("_meta").set(META_SUBSCRIPTION, id);
        if (!tools && resources.isEmpty()) {
            // nothing it asked for is offered: acknowledge and end gracefully
            return new Response.Streamed(200, Headers.EMPTY, ChunkStream.of(List.of(Chunk.data(Body.of(ack)),
                    Chunk.data(Body.of(last)))));
        }
        subscriptions.listen(new Subscriptions.Listen(tag, request.owner(), id, Set.copyOf(resources),
                request.aggregate()));
        Supplier<ObjectNode> changed = () -> {
            ObjectNode params = JsonRpc.NODES.objectNode();
            params.putObject("_meta").set(META_SUBSCRIPTION, id);
            return JsonRpc.notification("notifications/tools/list_changed", params);
        };
        // a stream for resources only is not sent tool changes it did not ask for
        ChunkStream events = feed.stream(List.of(ack), tools ? changed : null, Optional.of(last),
                request.exchange().get(Cancellation.KEY), Optional.of(tag), () -> {
                    subscriptions.stopListening(tag);
                    Thread.ofVirtual().start(() -> endListen(request, honouredTargets));
                });
        return new Response.Streamed(200, Headers.EMPTY, events);
    }

    /**
     * A listening stream ended: what no other stream of its owner wants is unsubscribed upstream, and a server none of
     * them wants any more stops being watched (best effort).
     */
    private void endListen(Request request, List<ResourceTarget> targets) {
        String owner = request.owner();
        for (ResourceTarget target : targets) {
            String serverId = target.entry().id();
            try {
                Upstream upstream = upstreams.of(target.entry());
                if (!subscriptions.wanted(owner, Subscriptions.resource(serverId, target.uri()))) {
                    ObjectNode params = JsonRpc.NODES.objectNode().put("uri", target.uri());
                    upstream.request(upstreamCall(target.entry(), request, "resources/unsubscribe", params,
                            Optional.empty(), Optional.empty(), Optional.empty()));
                }
                if (!subscriptions.listening(owner, serverId)) {
                    upstream.unwatch(owner);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "ending the subscriptions of a listen on '" + serverId + "': "
                        + e);
            }
        }
    }

    /** A resource a client named, on the server the caller may use: that server and the server's own URI. */
    private record ResourceTarget(Registry.Entry entry, String uri, String named) {
    }

    /** Resolves a resource URI as the client names it; unknown or forbidden servers are -32602 (403 per server). */
    private ResourceTarget resourceTarget(Request request, String named) {
        String shown = named.length() > 160 ? named.substring(0, 160) : named;
        if (request.aggregate()) {
            Optional<String[]> split = splitUri(named);
            Optional<Registry.Entry> entry = split.flatMap(parts -> registry.get(parts[0]))
                    .filter(e -> visible(request).contains(e));
            if (entry.isEmpty()) {
                throw RpcError.of(RpcError.INVALID_PARAMS, "Unknown resource: " + shown).because("not_found");
            }
            return new ResourceTarget(entry.get(), split.get()[1], named);
        }
        return new ResourceTarget(server(request.http().serverId().get(), request.principal(), request.http()), named,
                named);
    }

    private static ObjectNode subscribeParams(Request request, ResourceTarget target) {
        ObjectNode params = withoutProtocolMeta(request.message().params());
        params.remove("notifications");
        params.put("uri", target.uri());
        return params;
    }

    /**
     * A legacy client's {@code resources/subscribe} or {@code resources/unsubscribe}: kept in its session (shared
     * state) and sent on to the server in the session's own upstream session, whose update stream the gateway then
     * keeps open; updates come on the session's GET stream, on whichever instance holds it.
     */
    private Response subscription(Request request) {
        String method = request.message().method();
        boolean subscribe = method.equals("resources/subscribe");
        Sessions.Session session = request.session().orElseThrow(() -> RpcError.of(RpcError.INVALID_REQUEST,
                method + " needs a session (initialize first): updates come on the session's GET stream"));
        JsonNode uri = request.message().params().path("uri");
        if (!uri.isTextual()) {
            throw RpcError.of(RpcError.INVALID_PARAMS, method + " needs 'uri'");
        }
        long start = ticker.nanos();
        ResourceTarget target = resourceTarget(request, uri.textValue());
        Registry.Entry entry = target.entry();
        int status = 200;
        String reason = null;
        try {
            Upstream upstream = upstreams.of(entry);
            UpstreamCall call = upstreamCall(entry, request, method, subscribeParams(request, target),
                    Optional.empty());
            if (subscribe && !upstream.facts(call).subscribable()) {
                throw RpcError.of(RpcError.INVALID_PARAMS, "MCP server '" + entry.id() + "' does not offer resource"
                        + " subscriptions").because("not_subscribable");
            }
            if (subscribe) {
                sessions.subscribe(session, entry.id(), target.uri());
            } else {
                sessions.unsubscribe(session, entry.id(), target.uri());
            }
            ObjectNode answer = upstream.request(call);
            if (answer.has("error")) {
                if (subscribe) {
                    sessions.unsubscribe(session, entry.id(), target.uri());
                }
                reason = "upstream_error";
                return upstreamError(request, answer.path("error"));
            }
            if (subscribe) {
                // after the subscribe: the owner's upstream session exists now, and its update stream belongs to it
                String owner = request.owner();
                upstream.watch(call, message -> subscriptions.updated(entry.id(), owner, message));
            }
            return result(request, JsonRpc.NODES.objectNode());
        } catch (RpcError e) {
            status = e.logStatus();
            reason = e.reason();
            throw e;
        } finally {
            record(request, Optional.of(entry.id()), uri.textValue(), status, Optional.ofNullable(reason), 0, start);
        }
    }

    // --- tools

    /** The servers a request may see: its endpoint's, or every reachable one the caller may use. */
    private List<Registry.Entry> visible(Request request) {
        if (request.http().serverId().isPresent()) {
            return List.of(server(request.http().serverId().get(), request.principal(), request.http()));
        }
        List<Registry.Entry> entries = new ArrayList<>();
        for (Registry.Entry entry : registry.all()) {
            if (access.reachable(entry.definition(), request.http().address())
                    && access.mayUseServer(request.principal(), entry.definition())) {
                entries.add(entry);
            }
        }
        return entries;
    }

    private ObjectNode toolsList(Request request) {
        ObjectNode result = JsonRpc.NODES.objectNode();
        ArrayNode tools = result.putArray("tools");
        for (Registry.Entry entry : visible(request)) {
            List<ObjectNode> listed;
            try {
                listed = tools(entry, request);
            } catch (RpcError e) {
                if (!request.aggregate()) {
                    throw e;
                }
                LOG.log(System.Logger.Level.DEBUG, () -> "aggregate tools/list leaves out " + entry.id() + ": " + e);
                continue;
            }
            for (ObjectNode tool : listed) {
                String name = tool.path("name").asText();
                if (access.mayUseTool(request.principal(), entry.definition(), name)) {
                    ObjectNode shown = tool.deepCopy();
                    if (request.aggregate()) {
                        shown.put("name", entry.id() + "." + name);
                    }
                    tools.add(shown);
                }
            }
        }
        return result;
    }

    /** A server's tools: from the catalog, or the caller's own list from a server of per-user OAuth. */
    private List<ObjectNode> tools(Registry.Entry entry, Request request) {
        if (entry.definition().auth().type() == ServerDefinition.AuthType.OAUTH_USER) {
            return catalog.read(entry, upstreamCall(entry, request, "tools/list", JsonRpc.NODES.objectNode(),
                    Optional.empty())).tools();
        }
        Catalog.Listing listing = catalog.listing(entry);
        if (listing.readAt().isEmpty() && listing.error().isPresent()) {
            throw RpcError.of(RpcError.UPSTREAM_FAILED, "the tools of MCP server '" + entry.id()
                    + "' could not be read: " + listing.error().get()).because("upstream_failed");
        }
        return listing.tools();
    }

    /**
     * A {@code tools/call}, cancellable by the client's {@code notifications/cancelled}. A client that takes SSE and
     * asked to hear how the call goes (a {@code progressToken} in {@code _meta}, or a 2026-07-28 {@code logLevel})
     * gets an event stream: the upstream's progress and log notifications as they come, then the response; the call
     * then runs on a thread of its own.
     */
    private Response toolCall(Request request) {
        JsonNode meta = request.message().params().path("_meta");
        JsonNode token = meta.path("progressToken");
        boolean hasToken = token.isTextual() || token.isIntegralNumber();
        boolean relay = !request.batched() && request.http().acceptsEventStream()
                && (hasToken || (request.modern() && meta.has("io.modelcontextprotocol/logLevel")));
        Cancellation cancellation = new Cancellation();
        Optional<Cancellation.Registration> link = request.exchange().get(Cancellation.KEY)
                .map(c -> c.onCancel(cancellation::cancel));
        InFlight.Registration registered = inFlight.add(request.owner(), request.message().id(), cancellation);
        if (!relay) {
            try {
                return toolCall(request, cancellation, Optional.empty());
            } finally {
                registered.close();
                link.ifPresent(Cancellation.Registration::close);
            }
        }
        RelayStream stream = new RelayStream(cancellation);
        // the upstream gets a token of the gateway's own: two calls of one owner never mix up their progress
        String upstreamToken = "sf-" + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
        Relay listening = new Relay(upstreamToken, hasToken ? Optional.of(token) : Optional.empty(), stream);
        Thread.ofVirtual().name("mcp-tool-call").start(() -> {
            ObjectNode last;
            try {
                last = message(toolCall(request, cancellation, Optional.of(listening)));
            } catch (RpcError e) {
                last = JsonRpc.error(request.message().id(), e);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a relayed MCP tool call failed", e);
                last = JsonRpc.error(request.message().id(), RpcError.of(RpcError.INTERNAL_ERROR,
                        "the gateway failed to run the call"));
            } finally {
                registered.close();
                link.ifPresent(Cancellation.Registration::close);
            }
            stream.finish(last);
        });
        return new Response.Streamed(200, Headers.EMPTY, stream);
    }

    /**
     * Where a relayed call's notifications go, the progress token the upstream gets for it, and the client's own.
     */
    private record Relay(String upstreamToken, Optional<JsonNode> clientToken, RelayStream stream) {
    }

    /**
     * What tells the client of a relayed call's notifications: progress with the client's token in place of the
     * gateway's, log messages as they are; under a {@code strict} guardrail, a notification the guardrail flags (as
     * it would the result) is dropped.
     */
    private Consumer<ObjectNode> listener(Relay relay, Registry.Entry entry, String tool, Request request) {
        return notification -> {
            ObjectNode shown = notification.deepCopy();
            if (shown.path("params") instanceof ObjectNode params && params.has("progressToken")) {
                if (relay.clientToken().isEmpty()
                        || !params.path("progressToken").asText().equals(relay.upstreamToken())) {
                    return;
                }
                params.set("progressToken", relay.clientToken().get());
            }
            if (entry.definition().guardrailMode() == ServerDefinition.GuardrailMode.STRICT
                    && !guardrail.inspect(McpGuardrail.Direction.RESULT, entry.id(), tool, shown.path("params"),
                    request.principal()).clean()) {
                return;
            }
            relay.stream().tell(shown);
        };
    }

    /** The JSON-RPC message an answer carries (JSON, or the one event of an SSE answer). */
    private static ObjectNode message(Response response) {
        return switch (response) {
            case Response.Complete complete -> (ObjectNode) complete.body().json();
            case Response.Streamed streamed -> {
                try (ChunkStream chunks = streamed.chunks()) {
                    yield (ObjectNode) chunks.next().data().json();
                }
            }
        };
    }

    private Response toolCall(Request request, Cancellation cancellation, Optional<Relay> relay) {
        long start = ticker.nanos();
        ObjectNode params = request.message().params();
        String asked = params.path("name").asText("");
        Optional<Registry.Entry> server = Optional.empty();
        String tool = asked;
        int status = 200;
        String reason = null;
        long cost = 0;
        try {
            if (!params.path("name").isTextual() || asked.isEmpty()) {
                throw RpcError.of(RpcError.INVALID_PARAMS, "tools/call needs the tool's 'name'");
            }
            if (request.aggregate()) {
                int dot = asked.indexOf('.');
                tool = dot < 0 ? asked : asked.substring(dot + 1);
                String id = dot < 0 ? "" : asked.substring(0, dot);
                server = registry.get(id).filter(e -> access.reachable(e.definition(), request.http().address()));
            } else {
                server = Optional.of(server(request.http().serverId().get(), request.principal(), request.http()));
            }
            Registry.Entry entry = server.orElseThrow(() -> unknownTool(asked, "tool_not_found"));
            String name = tool;
            ObjectNode definition = tools(entry, request).stream()
                    .filter(t -> t.path("name").asText().equals(name)).findFirst()
                    .orElseThrow(() -> unknownTool(asked, "tool_not_found"));
            if (!access.mayUseTool(request.principal(), entry.definition(), tool)) {
                throw unknownTool(asked, "tool_not_allowed");
            }
            JsonNode arguments = params.path("arguments");
            if (!arguments.isMissingNode() && !arguments.isNull() && !arguments.isObject()) {
                throw RpcError.of(RpcError.INVALID_PARAMS, "'arguments' must be an object");
            }
            checkParams(entry.definition(), tool, arguments);
            ObjectNode schema = (ObjectNode) definition.path("inputSchema");
            if (request.modern()) {
                McpHeaders.mismatch(schema, arguments, request.http()::header).ifPresent(problem -> {
                    throw mismatch(problem);
                });
            }
            inspect(McpGuardrail.Direction.ARGUMENTS, entry, tool, arguments.isObject() ? arguments
                    : JsonRpc.NODES.objectNode(), request);
            ObjectNode upstreamParams = withoutProtocolMeta(params);
            upstreamParams.put("name", tool);
            relay.ifPresent(r -> {
                ObjectNode upstreamMeta = upstreamParams.get("_meta") instanceof ObjectNode object ? object
                        : upstreamParams.putObject("_meta");
                upstreamMeta.put("progressToken", r.upstreamToken());
            });
            UpstreamCall call = upstreamCall(entry, request, "tools/call", upstreamParams, Optional.of(schema),
                    Optional.of(cancellation), relay.map(r -> listener(r, entry, name, request)));
            long price = entry.definition().perCallMicros();
            String serverId = entry.id();
            String toolName = tool;
            request.exchange().get(Trail.KEY).ifPresent(trail -> trail.note(Facts.TARGET,
                    new Facts.Target(serverId, toolName)));
            // the run stage counts it as a tool call, and the same tool with the same arguments as a possible loop
            Exchange priced = request.exchange().with(WorstCase.KEY, new WorstCase(price))
                    .with(TOOL_CALL, new ToolCall(entry, call, price))
                    .with(RunCall.KEY, RunCall.tool(serverId + '\u0000' + tool + '\u0000' + canonical(arguments)));
            Response response;
            try {
                response = request.chain().proceed(priced);
            } catch (BudgetExceeded e) {
                throw RpcError.of(RpcError.LIMITED, "budget exceeded: this key has $"
                        + Usd.number(e.remainingMicros()).asText() + " left this period")
                        .withData(JsonRpc.NODES.objectNode().put("status", 429).put("code", "budget_exceeded"))
                        .because("budget_exceeded");
            } catch (RateLimited e) {
                throw RpcError.of(RpcError.LIMITED, e.getMessage()).withData(JsonRpc.NODES.objectNode()
                        .put("status", 429).put("code", "rate_limit_exceeded")).because("rate_limited");
            } catch (StateUnavailable e) {
                throw RpcError.of(RpcError.UNAVAILABLE, "the gateway cannot reach its shared state; try again")
                        .because("state_unavailable");
            } catch (RunRefused e) {
                throw runRefused(e);
            } catch (SmartflowException e) {
                throw RpcError.of(RpcError.INTERNAL_ERROR, e.getMessage()).because(e.code().orElse("refused"));
            }
            cost = price;
            JsonNode answer = ((Response.Complete) response).body().json();
            if (answer.has("error")) {
                reason = "upstream_error";
                return upstreamError(request, answer.path("error"));
            }
            JsonNode result = answer.path("result");
            if (!result.isObject()) {
                reason = "upstream_garbage";
                throw RpcError.of(RpcError.UPSTREAM_FAILED, "MCP server '" + entry.id() + "' answered without a"
                        + " result").because("upstream_failed");
            }
            ObjectNode shown = (ObjectNode) result;
            Optional<ObjectNode> blocked = inspectResult(entry, tool, shown, request);
            if (blocked.isPresent()) {
                reason = "guardrail_blocked";
                return result(request, blocked.get());
            }
            if (shown.path("isError").asBoolean(false)) {
                reason = "tool_error";
            }
            return result(request, shown);
        } catch (RpcError e) {
            status = e.logStatus();
            reason = e.reason();
            throw e;
        } finally {
            record(request, server.map(Registry.Entry::id), tool, status, Optional.ofNullable(reason), cost, start);
        }
    }

    private static RpcError unknownTool(String name, String reason) {
        // a tool the caller may not use answers as one that does not exist: nothing is given away
        return RpcError.of(RpcError.INVALID_PARAMS, "Unknown tool: " + (name.length() > 160
                ? name.substring(0, 160) + "…" : name)).because(reason);
    }

    private static void checkParams(ServerDefinition server, String tool, JsonNode arguments) {
        List<String> allowed = server.allowedParams().get(tool);
        if (allowed == null || !arguments.isObject()) {
            return;
        }
        arguments.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                throw RpcError.of(RpcError.INVALID_PARAMS, "argument '" + (name.length() > 64 ? name.substring(0, 64)
                        : name) + "' is not allowed for tool '" + tool + "'; allowed: " + allowed)
                        .because("param_not_allowed");
            }
        });
    }

    private void inspect(McpGuardrail.Direction direction, Registry.Entry entry, String tool, JsonNode payload,
                         Request request) {
        McpGuardrail.Verdict verdict = guardrail.inspect(direction, entry.id(), tool, payload, request.principal());
        if (verdict.clean()) {
            return;
        }
        note(request, verdict);
        if (entry.definition().guardrailMode() == ServerDefinition.GuardrailMode.STRICT) {
            throw RpcError.of(RpcError.FORBIDDEN, "the call's arguments were blocked by the gateway's guardrail: "
                    + verdict.findings()).because("guardrail_blocked");
        }
    }

    /** The result to answer instead when a strict guardrail blocks it. */
    private Optional<ObjectNode> inspectResult(Registry.Entry entry, String tool, ObjectNode result,
                                               Request request) {
        McpGuardrail.Verdict verdict = guardrail.inspect(McpGuardrail.Direction.RESULT, entry.id(), tool, result,
                request.principal());
        if (verdict.clean()) {
            return Optional.empty();
        }
        note(request, verdict);
        if (entry.definition().guardrailMode() != ServerDefinition.GuardrailMode.STRICT) {
            return Optional.empty();
        }
        ObjectNode blocked = JsonRpc.NODES.objectNode().put("isError", true);
        blocked.putArray("content").addObject().put("type", "text").put("text",
                "The tool's result was withheld by the gateway's guardrail: " + verdict.findings());
        return Optional.of(blocked);
    }

    private static void note(Request request, McpGuardrail.Verdict verdict) {
        request.exchange().get(Trail.KEY).ifPresent(trail -> trail.note(Facts.COMPLIANCE,
                new Facts.Compliance(1.0, verdict.findings())));
    }

    private void record(Request request, Optional<String> serverId, String tool, int status, Optional<String> error,
                        long cost, long start) {
        String server = serverId.orElse("unknown");
        String shownTool = serverId.isPresent() ? tool : "unknown";
        metrics.mcpCall(server, shownTool, error.orElse("ok"));
        Principal principal = request.principal();
        try {
            log.add(new McpStore.Call(request.exchange().id().value(), request.exchange().traceId().toString(),
                    clock.instant(), principal.key().map(VirtualKey::id), principal.tenant(), server, tool,
                    request.message().method(), status, error.filter(e -> !e.equals("ok")), cost,
                    Math.max(0, (ticker.nanos() - start) / 1_000)));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "an MCP call could not be logged", e);
        }
    }

    // --- resources, prompts, completions

    /** A list method over the visible servers: one server's list as it is, or every server's merged. */
    private ObjectNode mergedList(Request request, String method, String field) {
        ObjectNode result = JsonRpc.NODES.objectNode();
        ArrayNode merged = result.putArray(field);
        for (Registry.Entry entry : visible(request)) {
            Optional<ServerFacts> facts = catalog.known(entry.id()).facts();
            String capability = method.startsWith("prompts") ? "prompts" : "resources";
            if (facts.isPresent() && !facts.get().has(capability)) {
                continue;
            }
            if (request.aggregate() && method.equals("resources/templates/list")) {
                continue;
            }
            ObjectNode params = withoutProtocolMeta(request.message().params());
            if (request.aggregate()) {
                params.remove("cursor");
            }
            JsonNode answer;
            try {
                answer = upstreams.of(entry).request(upstreamCall(entry, request, method, params, Optional.empty()));
            } catch (RpcError e) {
                if (!request.aggregate()) {
                    throw e;
                }
                continue;
            }
            if (answer.has("error")) {
                if (!request.aggregate()) {
                    throw passOn(request, answer.path("error"));
                }
                continue;
            }
            JsonNode listed = answer.path("result");
            for (JsonNode item : listed.path(field)) {
                if (!(item instanceof ObjectNode object)) {
                    continue;
                }
                ObjectNode shown = object.deepCopy();
                if (request.aggregate()) {
                    if (shown.has("uri")) {
                        shown.put("uri", aggregateUri(entry.id(), shown.path("uri").asText()));
                    }
                    if (shown.has("name") && field.equals("prompts")) {
                        shown.put("name", entry.id() + "." + shown.path("name").asText());
                    }
                }
                merged.add(shown);
            }
            if (!request.aggregate() && listed.path("nextCursor").isTextual()) {
                result.set("nextCursor", listed.get("nextCursor"));
            }
        }
        return result;
    }

    /** A request naming one prompt or resource (or completing one's argument), sent to its server. */
    private Response forward(Request request) {
        long start = ticker.nanos();
        ObjectNode params = withoutProtocolMeta(request.message().params());
        String method = request.message().method();
        Optional<Registry.Entry> server = Optional.empty();
        String named = "";
        int status = 200;
        String reason = null;
        try {
            JsonNode target = method.equals("completion/complete") ? params.path("ref") : params;
            boolean prompt = method.equals("prompts/get") || target.path("type").asText().equals("ref/prompt");
            String field = prompt ? "name" : "uri";
            if (!target.path(field).isTextual()) {
                throw RpcError.of(RpcError.INVALID_PARAMS, method + " needs '" + field + "'");
            }
            named = target.path(field).textValue();
            String upstreamName = named;
            if (request.aggregate()) {
                Optional<String[]> split = prompt ? splitName(named) : splitUri(named);
                if (split.isEmpty()) {
                    throw RpcError.of(RpcError.INVALID_PARAMS, (prompt ? "Unknown prompt: " : "Unknown resource: ")
                            + (named.length() > 160 ? named.substring(0, 160) : named)).because("not_found");
                }
                server = registry.get(split.get()[0]);
                upstreamName = split.get()[1];
            } else {
                server = Optional.of(server(request.http().serverId().get(), request.principal(), request.http()));
            }
            Registry.Entry entry = server.filter(e -> visible(request).contains(e)).orElseThrow(
                    () -> RpcError.of(RpcError.INVALID_PARAMS, "Unknown " + (prompt ? "prompt" : "resource"))
                            .because("not_found"));
            ObjectNode targetCopy = method.equals("completion/complete") ? (ObjectNode) params.path("ref") : params;
            targetCopy.put(field, upstreamName);
            ObjectNode answer = upstreams.of(entry).request(upstreamCall(entry, request, method, params,
                    Optional.empty()));
            if (answer.has("error")) {
                reason = "upstream_error";
                return upstreamError(request, answer.path("error"));
            }
            ObjectNode result = answer.path("result") instanceof ObjectNode object ? object
                    : JsonRpc.NODES.objectNode();
            if (request.aggregate() && method.equals("resources/read")) {
                for (JsonNode content : result.path("contents")) {
                    if (content instanceof ObjectNode object && object.has("uri")) {
                        object.put("uri", aggregateUri(entry.id(), object.path("uri").asText()));
                    }
                }
            }
            return result(request, method.equals("resources/read") ? cacheable(request, result) : result);
        } catch (RpcError e) {
            status = e.logStatus();
            reason = e.reason();
            throw e;
        } finally {
            record(request, server.map(Registry.Entry::id), named, status, Optional.ofNullable(reason), 0, start);
        }
    }

    private static Optional<String[]> splitName(String name) {
        int dot = name.indexOf('.');
        return dot <= 0 ? Optional.empty() : Optional.of(new String[] {name.substring(0, dot),
                name.substring(dot + 1)});
    }

    /** A resource URI on the aggregate endpoint: {@code smartflow://{server_id}/{the server's URI, escaped}}. */
    static String aggregateUri(String serverId, String uri) {
        return RESOURCE_SCHEME + "://" + serverId + "/" + URLEncoder.encode(uri, StandardCharsets.UTF_8);
    }

    private static Optional<String[]> splitUri(String uri) {
        String prefix = RESOURCE_SCHEME + "://";
        if (!uri.startsWith(prefix)) {
            return Optional.empty();
        }
        int slash = uri.indexOf('/', prefix.length());
        if (slash < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new String[] {uri.substring(prefix.length(), slash),
                    URLDecoder.decode(uri.substring(slash + 1), StandardCharsets.UTF_8)});
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Arguments as text that is the same for the same arguments whatever the order of their fields. */
    static String canonical(JsonNode node) {
        if (node.isObject()) {
            StringBuilder text = new StringBuilder("{");
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            for (String name : names) {
                text.append(JsonNodeFactory.instance.textNode(name)).append(':').append(canonical(node.get(name)))
                        .append(',');
            }
            return text.append('}').toString();
        }
        if (node.isArray()) {
            StringBuilder text = new StringBuilder("[");
            node.forEach(item -> text.append(canonical(item)).append(','));
            return text.append(']').toString();
        }
        return node.isMissingNode() ? "{}" : node.toString();
    }

    // --- upstream calls and answers

    private UpstreamCall upstreamCall(Registry.Entry entry, Request request, String method, ObjectNode params,
                                      Optional<ObjectNode> toolSchema) {
        return upstreamCall(entry, request, method, params, toolSchema, request.exchange().get(Cancellation.KEY),
                Optional.empty());
    }

    private UpstreamCall upstreamCall(Registry.Entry entry, Request request, String method, ObjectNode params,
                                      Optional<ObjectNode> toolSchema, Optional<Cancellation> cancellation,
                                      Optional<Consumer<ObjectNode>> listener) {
        Optional<String> userToken = entry.definition().auth().type() == ServerDefinition.AuthType.OAUTH_USER
                ? userTokens.apply(entry, request.principal()) : Optional.empty();
        // the call's trace goes on to the upstream, with a span of the gateway's own
        String traceparent = "00-" + request.exchange().traceId().w3c() + "-"
                + String.format("%016x", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE)) + "-01";
        return new UpstreamCall(request.owner(), method, params, toolSchema, userToken, Optional.of(traceparent),
                cancellation, settings.upstreamTimeout(), listener);
    }

    /** The params without the client's protocol fields: the upstream gets the gateway's own. */
    private static ObjectNode withoutProtocolMeta(ObjectNode params) {
        ObjectNode copy = params.deepCopy();
        if (copy.get("_meta") instanceof ObjectNode meta) {
            meta.remove(List.of(META_VERSION, META_CAPABILITIES, "io.modelcontextprotocol/clientInfo",
                    "io.modelcontextprotocol/logLevel"));
            if (meta.isEmpty()) {
                copy.remove("_meta");
            }
        }
        return copy;
    }

    /** An upstream's JSON-RPC error, passed on as it came (in the code the client's revision uses). */
    private Response upstreamError(Request request, JsonNode error) {
        return error(request.message().id(), passOn(request, error), request.http());
    }

    private static RpcError passOn(Request request, JsonNode error) {
        int code = error.path("code").canConvertToInt() ? error.path("code").asInt() : RpcError.INTERNAL_ERROR;
        if (request.modern() && code == -32002) {
            code = RpcError.INVALID_PARAMS; // resource not found: the 2026-07-28 code
        }
        String message = error.path("message").asText("the upstream failed");
        RpcError passed = RpcError.of(code, message.length() > 2000 ? message.substring(0, 2000) : message)
                .because("upstream_error");
        return error.has("data") ? passed.withData(error.get("data")) : passed;
    }

    private ObjectNode cacheable(Request request, ObjectNode result) {
        if (request.modern()) {
            result.put("ttlMs", LIST_TTL_MS).put("cacheScope", "private");
        }
        return result;
    }

    private Response result(Request request, ObjectNode result) {
        ObjectNode shown = result.deepCopy();
        if (request.modern()) {
            if (!shown.has("resultType")) {
                shown.put("resultType", "complete");
            }
            ObjectNode meta = shown.get("_meta") instanceof ObjectNode object ? object : shown.putObject("_meta");
            meta.set(META_SERVER_INFO, serverInfo(request));
        } else {
            if (shown.path("resultType").asText("complete").equals("input_required")) {
                throw RpcError.of(RpcError.INTERNAL_ERROR, "the upstream server needs more input from the client,"
                        + " which the client's protocol revision cannot carry through the gateway")
                        .because("input_required");
            }
            shown.remove(List.of("resultType", "ttlMs", "cacheScope"));
        }
        return answer(JsonRpc.result(request.message().id(), shown), 200, request.http());
    }

    private Response error(JsonNode id, RpcError error, HttpFacts http) {
        return answer(JsonRpc.error(id, error), error.httpStatus(), http);
    }

    private static Response answer(ObjectNode message, int status, HttpFacts http) {
        if (http.wantsEventStream() && status == 200) {
            return new Response.Streamed(200, Headers.EMPTY, ChunkStream.of(List.of(Chunk.data(Body.of(message)))));
        }
        return new Response.Complete(status, Headers.of("content-type", "application/json"), Body.of(message));
    }
}
