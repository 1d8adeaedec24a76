package dev.smartflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.exchange.Attributes;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.core.keys.AuthStage;
import dev.smartflow.core.keys.Authenticator;
import dev.smartflow.core.metrics.Metrics;
import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.server.http.AdminAccess;
import dev.smartflow.server.http.BodyBudget;
import dev.smartflow.server.proxy.ProxyService;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a {@link ServerModule} installs itself with: its configuration section, the pipeline builder (stages by slot,
 * listeners), the server's stores and metrics, the master key's authenticator for admin routes, and where to put its
 * routes and closeables. Made by the server for one module, used only during {@link ServerModule#install}.
 */
public final class ModuleContext {
    private final ServerModule module;
    private final ServerConfig config;
    private final Smartflow.Builder pipeline;
    private final SharedState state;
    private final Database database;
    private final Metrics metrics;
    private final Authenticator master;
    private final InstantSource clock;
    private final Pricing pricing;
    private final Wiring wiring;
    private final Map<Service, List<Consumer<JavalinConfig>>> routes;
    private final List<AutoCloseable> closeables;

    ModuleContext(ServerModule module, ServerConfig config, Smartflow.Builder pipeline, SharedState state,
                  Database database, Metrics metrics, Authenticator master, InstantSource clock, Pricing pricing,
                  Wiring wiring, List<AutoCloseable> closeables) {
        this.module = module;
        this.config = config;
        this.pipeline = pipeline;
        this.state = state;
        this.database = database;
        this.metrics = metrics;
        this.master = master;
        this.clock = clock;
        this.pricing = pricing;
        this.wiring = wiring;
        this.routes = wiring.routes;
        this.closeables = closeables;
    }

    /** The module's section of the configuration file; the missing node when the file has none. */
    public JsonNode config() {
        return config.section(module.name());
    }

    /** The whole server configuration. */
    public ServerConfig server() {
        return config;
    }

    /** The pipeline being built: add stages by slot ({@code addStage(Slot, Stage)}) and listeners here. */
    public Smartflow.Builder pipeline() {
        return pipeline;
    }

    public SharedState state() {
        return state;
    }

    public Database database() {
        return database;
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Accepts the master key only: for admin routes ({@code Services.requireKey}). */
    public Authenticator master() {
        return master;
    }

    public InstantSource clock() {
        return clock;
    }

    /** The price catalog, e.g. to price what a cache hit saved. */
    public Pricing pricing() {
        return pricing;
    }

    /**
     * The built pipeline, for the module's own calls through it (an embedder calling a provider's embeddings API);
     * the supplier fails with {@link IllegalStateException} until the server has built it, i.e. during
     * {@link ServerModule#install}.
     */
    public Supplier<Smartflow> smartflow() {
        return () -> {
            Smartflow built = wiring.smartflow.get();
            if (built == null) {
                throw new IllegalStateException("the pipeline is built after every module is installed");
            }
            return built;
        };
    }

    /**
     * Has the proxy copy these request headers (any case; e.g. {@code cache-control}) into every exchange, for the
     * module's stages to read. Only credentials are copied otherwise: each header copied costs every call.
     */
    public ModuleContext requestHeaders(String... names) {
        for (String name : names) {
            wiring.headers.add(name.toLowerCase(Locale.ROOT));
        }
        return this;
    }

    /**
     * A route handler that runs its request through the pipeline as {@code operation} (authenticated, rate limited,
     * budgeted, audited) for the module's stage to answer. Its JSON body, if any, is the exchange's body; {@code
     * attributes} adds what else the stage needs from the request, such as path parameters.
     *
     * <pre>{@code
     * ModuleOperation search = new ModuleOperation("vector_stores.search", "/v1/vector_stores/search", false, false);
     * context.routes(Service.PROXY, app -> app.routes.post("/v1/vector_stores/{id}/search",
     *         context.pipelineRoute(search, ctx -> Attributes.EMPTY.with(STORE_ID, ctx.pathParam("id")))));
     * }</pre>
     */
    public Handler pipelineRoute(ModuleOperation operation, Function<Context, Attributes> attributes) {
        return ProxyService.moduleRoute(smartflow(), wiring.bodyBudget, config.maxRequestBytes(), wiring.headers(),
                operation, attributes, this::sessionCredentials);
    }

    /**
     * A request that presents no key but an admin session a module admits (see {@link #adminSession}) runs as the
     * master key, so admin pages can use the routes that take either a key or the master key.
     */
    private Headers sessionCredentials(Context ctx, Headers presented) {
        if (AuthStage.token(presented).isEmpty() && master instanceof AdminAccess access && access.admits(ctx)) {
            return presented.with("authorization", "Bearer " + config.masterKey().orElseThrow());
        }
        return presented;
    }

    /**
     * Lets browser sessions call the admin APIs: {@code session} is asked about every admin request that presents no
     * key (see {@link AdminAccess.Session}); the master key keeps working as before.
     */
    public ModuleContext adminSession(AdminAccess.Session session) {
        if (!(master instanceof AdminAccess access)) {
            throw new IllegalStateException("this server's admin routes take the master key only");
        }
        access.add(session);
        return this;
    }

    /**
     * The port each running service is bound to (a configured port of 0 binds an ephemeral one); the map is empty
     * until the services have started, i.e. during {@link ServerModule#install}.
     */
    public Supplier<Map<Service, Integer>> boundPorts() {
        return () -> Map.copyOf(wiring.ports);
    }

    /** Adds routes to {@code service}'s app (ignored when that service does not run). */
    public ModuleContext routes(Service service, Consumer<JavalinConfig> add) {
        routes.computeIfAbsent(Objects.requireNonNull(service, "service"), s -> new ArrayList<>())
                .add(Objects.requireNonNull(add, "add"));
        return this;
    }

    /** Closed when the server stops, after the services and the pipeline. */
    public ModuleContext closeWith(AutoCloseable closeable) {
        closeables.add(Objects.requireNonNull(closeable, "closeable"));
        return this;
    }

    /** The routes modules added to {@code service}, as one consumer. */
    static Consumer<JavalinConfig> routesOf(Map<Service, List<Consumer<JavalinConfig>>> routes, Service service) {
        List<Consumer<JavalinConfig>> added = routes.getOrDefault(service, List.of());
        return app -> added.forEach(add -> add.accept(app));
    }

    /** What every module's context adds to, and the server reads once the modules are installed. */
    static final class Wiring {
        final Map<Service, List<Consumer<JavalinConfig>>> routes = new EnumMap<>(Service.class);
        final Set<String> headers = new LinkedHashSet<>();
        final AtomicReference<Smartflow> smartflow = new AtomicReference<>();
        final Map<Service, Integer> ports = new ConcurrentHashMap<>();
        final BodyBudget bodyBudget;

        Wiring(BodyBudget bodyBudget) {
            this.bodyBudget = bodyBudget;
        }

        /** The request headers modules asked for, for the proxy to copy. */
        String[] headers() {
            return headers.toArray(String[]::new);
        }
    }
}
