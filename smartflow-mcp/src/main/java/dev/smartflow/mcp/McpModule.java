package dev.smartflow.mcp;

import dev.smartflow.cache.embed.Embedders;
import dev.smartflow.cache.index.FlatVectorIndex;
import dev.smartflow.core.Slot;
import dev.smartflow.core.Ticker;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Attributes;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.spi.McpStore;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.server.ModuleContext;
import dev.smartflow.server.ServerModule;
import dev.smartflow.server.Service;
import dev.smartflow.server.module.SecretBox;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Handler;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * The MCP tool gateway as a server module ({@code mcp:} section of the configuration file). On the proxy port:
 * <ul>
 *   <li>{@code /mcp} and {@code /{server_id}/mcp} (POST, GET, DELETE; with or without a trailing slash): the MCP
 *       endpoints, for virtual keys and the master key, run through the pipeline as the module operation
 *       {@code mcp.rpc} (authenticated, budgeted, audited; see {@link McpEndpoint});</li>
 *   <li>{@code /api/mcp/servers}: the registry, for the master key (see {@link RegistryRoutes}).</li>
 * </ul>
 */
public final class McpModule implements ServerModule {
    private static final System.Logger LOG = System.getLogger(McpModule.class.getName());

    @Override
    public String name() {
        return "mcp";
    }

    @Override
    public void install(ModuleContext context) {
        McpSettings settings = McpSettings.from(context.config());
        if (!settings.enabled()) {
            LOG.log(System.Logger.Level.INFO, "the MCP gateway is off (mcp.enabled: false)");
            return;
        }
        SecretBox box = settings.encryptionKey().map(SecretBox::fromPassphrase)
                .orElseGet(() -> SecretBox.fromMasterKey(context.server().masterKey()
                        .orElseThrow(() -> new IllegalStateException("the MCP gateway needs the master key")),
                        "smartflow-mcp-secrets-v1"));
        McpStore store = context.database().mcp();
        String prefix = settings.statePrefix();
        long maxBytes = context.server().maxRequestBytes();

        ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("mcp-scheduler").factory());
        context.closeWith(background::shutdownNow).closeWith(scheduler::shutdownNow);
        HttpTransport http = HttpTransport.create();
        context.closeWith(http);

        ChangeFeed feed = new ChangeFeed();
        Registry registry = new Registry(store, box, context.state(), prefix, context.clock(), background);
        Access access = new Access(store, Networks.of(settings.privateNetworks()), context.state(), prefix,
                context.clock(), background, feed::changed);
        UpstreamSessions upstreamSessions = new UpstreamSessions(context.state(), prefix, settings.sessionTtl());
        Catalog[] catalogRef = new Catalog[1];
        Upstreams upstreams = new Upstreams(settings, http, upstreamSessions, context.clock(), scheduler, maxBytes,
                (server, method) -> {
                    if (method.endsWith("/list_changed") && catalogRef[0] != null) {
                        catalogRef[0].refreshLater(server);
                    }
                });
        Catalog catalog = new Catalog(registry, upstreams, context.clock(), settings.upstreamTimeout(), background,
                scheduler, settings.catalogRefresh());
        catalogRef[0] = catalog;
        registry.onChange(() -> {
            upstreams.retain(registry);
            catalog.registryChanged();
            feed.changed();
        });
        catalog.onChange(feed::changed);
        Sessions sessions = new Sessions(context.state(), prefix, settings.sessionTtl(), context.clock());
        CallLog callLog = new CallLog(store);
        context.closeWith(registry).closeWith(access).closeWith(upstreams).closeWith(catalog).closeWith(callLog)
                .closeWith(feed::closeAll);

        OAuthUsers oauth = new OAuthUsers(registry, store, context.state(), prefix, box, http, context.clock(),
                settings.upstreamTimeout(), settings.publicUrl(), new OAuthClients(store, box, http, context.clock(),
                settings.upstreamTimeout()));
        InFlight inFlight = new InFlight(context.state(), prefix);
        context.closeWith(inFlight);
        Subscriptions subscriptions = new Subscriptions(sessions, context.state(), prefix, feed);
        context.closeWith(subscriptions);
        McpEndpoint endpoint = new McpEndpoint(registry, catalog, upstreams, access, sessions, feed, callLog,
                guardrail(), context.metrics(), settings, context.clock(), Ticker.system(), oauth::accessToken,
                inFlight, subscriptions);
        context.pipeline().addStage(Slot.AUTHENTICATED, endpoint.stage())
                .addStage(Slot.BEFORE_ROUTE, endpoint.toolCalls());

        McpApi[] apiRef = new McpApi[1];
        ToolSearch search = new ToolSearch(() -> Embedders.shared(context), new FlatVectorIndex(), context.clock(),
                background, () -> apiRef[0].visibleTools(Principal.MASTER));
        McpApi api = new McpApi(registry, catalog, access, store, callLog, search, context.master(), context.clock());
        apiRef[0] = api;
        catalog.onChange(search::catalogChanged);
        context.closeWith(search);
        context.pipeline().addStage(Slot.AUTHENTICATED, api.stage()).addStage(Slot.AUTHENTICATED, oauth.stage());

        RegistryRoutes registryRoutes = new RegistryRoutes(registry, context.master(), context.clock());
        context.routes(Service.PROXY, app -> {
            registryRoutes.register(app);
            api.register(app, operation -> context.pipelineRoute(operation, McpApi::attributes));
            oauth.register(app, operation -> attributes -> context.pipelineRoute(operation, attributes),
                    settings.trustForwardedFor());
            mcpRoutes(app, context, settings);
        });
    }

    private static void mcpRoutes(JavalinConfig app, ModuleContext context, McpSettings settings) {
        Function<Optional<String>, Handler> route = server -> context.pipelineRoute(McpEndpoint.RPC,
                ctx -> Attributes.EMPTY.with(HttpFacts.KEY, HttpFacts.of(ctx, server.map(s -> ctx.pathParam(s)),
                        settings.trustForwardedFor())));
        Handler aggregate = traceRefusal(route.apply(Optional.empty()));
        Handler perServer = traceRefusal(route.apply(Optional.of("server_id")));
        for (String path : new String[] {"/mcp", "/mcp/"}) {
            app.routes.post(path, aggregate);
            app.routes.get(path, aggregate);
            app.routes.delete(path, aggregate);
        }
        for (String path : new String[] {"/{server_id}/mcp", "/{server_id}/mcp/"}) {
            app.routes.post(path, perServer);
            app.routes.get(path, perServer);
            app.routes.delete(path, perServer);
        }
    }

    /**
     * A bad {@code x-a2a-trace-id} is refused before the pipeline runs; an MCP client reads it as a JSON-RPC error
     * (-32600, HTTP 400, the code in its data), not in OpenAI's shape.
     */
    private static Handler traceRefusal(Handler route) {
        return ctx -> {
            try {
                route.handle(ctx);
            } catch (InvalidRequest e) {
                if (ctx.res().isCommitted() || !e.code().filter("invalid_trace_id"::equals).isPresent()) {
                    throw e;
                }
                RpcError error = RpcError.of(RpcError.INVALID_REQUEST, e.getMessage())
                        .withData(JsonRpc.NODES.objectNode().put("status", 400).put("code", "invalid_trace_id"));
                ctx.status(400).contentType("application/json")
                        .result(JsonRpc.error(null, error).toString());
            }
        };
    }

    /** The guardrail on the class path (the compliance module's, say), or one that finds nothing. */
    private static McpGuardrail guardrail() {
        return ServiceLoader.load(McpGuardrail.class).findFirst().orElse(McpGuardrail.NONE);
    }
}
