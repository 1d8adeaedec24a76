package dev.smartflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.keys.Authenticator;
import dev.smartflow.core.metrics.Metrics;
import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.SharedState;
import io.javalin.config.JavalinConfig;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

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
    private final Map<Service, List<Consumer<JavalinConfig>>> routes;
    private final List<AutoCloseable> closeables;

    ModuleContext(ServerModule module, ServerConfig config, Smartflow.Builder pipeline, SharedState state,
                  Database database, Metrics metrics, Authenticator master, InstantSource clock,
                  Map<Service, List<Consumer<JavalinConfig>>> routes, List<AutoCloseable> closeables) {
        this.module = module;
        this.config = config;
        this.pipeline = pipeline;
        this.state = state;
        this.database = database;
        this.metrics = metrics;
        this.master = master;
        this.clock = clock;
        this.routes = routes;
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

    static Map<Service, List<Consumer<JavalinConfig>>> noRoutes() {
        return new EnumMap<>(Service.class);
    }
}
