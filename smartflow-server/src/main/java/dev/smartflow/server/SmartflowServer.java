package dev.smartflow.server;

import dev.smartflow.core.Smartflow;
import dev.smartflow.core.alerts.Alerts;
import dev.smartflow.core.audit.AuditWriter;
import dev.smartflow.core.budget.Budgets;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.keys.MasterKeyAuthenticator;
import dev.smartflow.core.keys.VirtualKeyAuthenticator;
import dev.smartflow.core.keys.VirtualKeys;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.metrics.Metrics;
import dev.smartflow.core.routing.Chains;
import dev.smartflow.core.routing.FallbackChain;
import dev.smartflow.core.routing.Routing;
import dev.smartflow.core.spi.Database;
import dev.smartflow.core.runs.RunLimits;
import dev.smartflow.core.runs.Runs;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.server.bridge.BridgeLog;
import dev.smartflow.server.bridge.BridgeService;
import dev.smartflow.server.bridge.BridgeSettings;
import dev.smartflow.server.compliance.ComplianceService;
import dev.smartflow.server.http.AdminAccess;
import dev.smartflow.server.http.BodyBudget;
import dev.smartflow.server.management.ChainCheck;
import dev.smartflow.server.management.ManagementService;
import dev.smartflow.server.policy.PolicyService;
import dev.smartflow.server.proxy.ProxyService;
import dev.smartflow.server.runs.RunsConfig;
import dev.smartflow.server.runs.TraceRoutes;
import dev.smartflow.store.redis.RedisSharedState;
import dev.smartflow.store.sql.SqlDatabase;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One Smartflow process: the pipeline and the services of {@link ServerConfig#services()}, each on its own port, over
 * the durable store ({@link ServerConfig#databaseUrl()}, H2 in the data dir by default) and the shared state
 * ({@link ServerConfig#redisUrl()}, in-process by default). Callers authenticate with the master key or a virtual key.
 * Every call is audited: an {@link AuditWriter} batches its record into the database behind the request.
 * Every call is counted in the server's {@link Metrics} ({@code GET /metrics} on the proxy and management ports) and,
 * when {@link ServerConfig#alerts() alerts} are enabled, watched by the alert rules.
 *
 * <pre>{@code
 * try (SmartflowServer server = SmartflowServer.start(config, registry)) {
 *     int proxyPort = server.port(Service.PROXY);
 * }
 * }</pre>
 */
public final class SmartflowServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SmartflowServer.class.getName());
    /**
     * Under the data dir: the audit journal (every record, until the database has it), records waiting when the
     * database cannot take them (or at shutdown), and the quarantine of records it refused.
     */
    public static final String AUDIT_SPOOL = "audit-spool";

    private final Smartflow smartflow;
    private final Database database;
    private final Metrics metrics;
    private final BodyBudget bodyBudget;
    private final Map<Service, Javalin> apps;
    /** Closed in reverse order after the services and the pipeline. */
    private final List<AutoCloseable> resources;

    private SmartflowServer(Smartflow smartflow, Database database, Metrics metrics, BodyBudget bodyBudget,
                            Map<Service, Javalin> apps, List<AutoCloseable> resources) {
        this.smartflow = smartflow;
        this.database = database;
        this.metrics = metrics;
        this.bodyBudget = bodyBudget;
        this.apps = apps;
        this.resources = resources;
    }

    /**
     * Starts every configured service. The config must carry the master key (see {@link MasterKey}).
     *
     * @throws IllegalStateException if a port cannot be bound; services already started are stopped
     */
    public static SmartflowServer start(ServerConfig config, ProviderRegistry registry) {
        return start(config, registry, ServerModule.discovered());
    }

    /**
     * Starts every configured service with {@code modules} installed (instead of those on the class path).
     *
     * @throws IllegalStateException if a port cannot be bound; services already started are stopped
     */
    public static SmartflowServer start(ServerConfig config, ProviderRegistry registry, List<ServerModule> modules) {
        return start(config, registry, modules, InstantSource.system());
    }

    /**
     * Starts every configured service with {@code modules} installed, telling time by {@code clock} (budget periods,
     * analytics ranges, uptime, the chatbot's "today"); tests pass a fake clock.
     *
     * @throws IllegalStateException if a port cannot be bound; services already started are stopped
     */
    public static SmartflowServer start(ServerConfig config, ProviderRegistry registry, List<ServerModule> modules,
                                        InstantSource clock) {
        Instant startedAt = clock.instant();
        String masterKey = config.masterKey()
                .orElseThrow(() -> new IllegalArgumentException("the server needs a master key"));
        AdminAccess master = new AdminAccess(new MasterKeyAuthenticator(masterKey));
        LOG.log(System.Logger.Level.INFO, "model catalog " + registry.catalog().version() + ": "
                + registry.catalog().entries().size() + " models");
        List<AutoCloseable> resources = new ArrayList<>();
        Metrics metrics = new Metrics();
        BodyBudget bodyBudget = new BodyBudget(config.inflightBodyBytes(), BodyBudget.ADMISSION_WAIT);
        bodyBudget.register(metrics.registry());
        Smartflow smartflow = null;
        Map<Service, Javalin> apps = new EnumMap<>(Service.class);
        OpeningDatabase database = null;
        try {
            database = new OpeningDatabase(() -> config.databaseUrl().map(SqlDatabase::connect)
                    .orElseGet(() -> SqlDatabase.h2(config.dataDir())));
            resources.add(database);
            SharedState state = config.redisUrl().<SharedState>map(url -> RedisSharedState.connect(url,
                            RedisSharedState.DEFAULT_PREFIX, config.state().timeout()))
                    .orElseGet(InMemorySharedState::new);
            if (config.redisUrl().isPresent()) {
                LOG.log(System.Logger.Level.INFO, "while Redis is unreachable: budgets fail "
                        + config.state().budgets().id() + ", rate limits fail " + config.state().rateLimits().id());
            }
            resources.add(state);
            VirtualKeyAuthenticator virtualKeys = new VirtualKeyAuthenticator(database.keys(), state);
            resources.add(virtualKeys);
            VirtualKeys keys = new VirtualKeys(database.keys(), state, clock, virtualKeys::invalidate);
            Optional<Alerts> alerts = alerts(config.alerts(), clock);
            // closed after the pipeline (whose budgets tell their last spend on close), before the stores
            alerts.ifPresent(resources::add);
            AuditWriter audit = config.audit().apply(AuditWriter.builder(database.audit()))
                    .spoolDirectory(config.dataDir().resolve(AUDIT_SPOOL)).build();
            // added last, so closed first after the pipeline: it drains into the database before that closes
            resources.add(audit);
            // closed before the audit writer and the shared state it writes to
            BridgeLog bridge = new BridgeLog(state, BridgeSettings.load(config.section("bridge")), clock);
            resources.add(bridge);
            Routing routing = routing(config.routing(), registry, state, database, clock);
            Smartflow.Builder pipeline = Smartflow.builder().resolver(registry).routing(routing)
                    .authenticator(master.or(virtualKeys))
                    .pricing(registry.catalog()).sharedState(state)
                    .onStateOutage(config.state().budgets(), config.state().rateLimits())
                    .keyStore(database.keys()).clock(clock)
                    .addAuditListener(audit).addAuditListener(metrics).addSpendListener(metrics)
                    .addAuditListener(bridge);
            alerts.ifPresent(a -> pipeline.addAuditListener(a).addSpendListener(a));
            // agent runs: limits, kill switch and loop detection in the shared state; closed with the pipeline
            Runs runs = Runs.start(state, clock, RunsConfig.load(config.section("runs")));
            pipeline.runs(runs);
            ModuleContext.Wiring wiring = new ModuleContext.Wiring(bodyBudget);
            wiring.headers.addAll(List.of(RunLimits.HEADERS));
            TraceRoutes traces = new TraceRoutes(database.audit(), runs);
            for (ServerModule module : modules) {
                module.install(new ModuleContext(module, config, pipeline, state, database, metrics, master, clock,
                        registry.catalog(), wiring, resources));
                LOG.log(System.Logger.Level.INFO, "module " + module.name() + " installed");
            }
            smartflow = pipeline.build();
            wiring.smartflow.set(smartflow);
            // the one ledger of spend: the budget stage's, which the management API reads and resets
            Budgets budgets = smartflow.budgets().orElseThrow();
            Smartflow asMaster = smartflow.withApiKey(masterKey);
            ManagementService.Operations operations = new ManagementService.Operations(clock, startedAt,
                    Version.CURRENT, state, config.redisUrl().isPresent(),
                    modules.stream().map(ServerModule::name).toList(),
                    Optional.of(config.section("chatbot").path("model").asText("")).filter(m -> !m.isBlank()),
                    () -> asMaster);
            // In enum order, proxy first: it is the service callers and health checks wait for.
            for (Service service : Service.values()) {
                if (!config.services().contains(service)) {
                    continue;
                }
                Consumer<JavalinConfig> added = ModuleContext.routesOf(wiring.routes, service);
                Javalin app = switch (service) {
                    case PROXY -> ProxyService.create(smartflow, registry, state, metrics, bodyBudget, config, added,
                            wiring.headers());
                    case MANAGEMENT -> ManagementService.create(registry, master, keys, budgets, routing,
                            database.audit(), metrics, alerts, config, operations, added.andThen(
                                    traces::register));
                    case COMPLIANCE -> ComplianceService.create(config, added);
                    case POLICY -> PolicyService.create(config, added);
                    case BRIDGE -> BridgeService.create(config, bridge, master, added);
                };
                apps.put(service, app);
                app.start(config.host(), config.port(service));
                wiring.ports.put(service, app.port());
                LOG.log(System.Logger.Level.INFO, service.id() + " listening on " + config.host() + ":" + app.port());
            }
            database.await();
            loadChains(config.routing(), registry, routing);
        } catch (RuntimeException e) {
            new SmartflowServer(smartflow, database, metrics, bodyBudget, apps, resources).close();
            throw e;
        }
        return new SmartflowServer(smartflow, database, metrics, bodyBudget, apps, resources);
    }

    /**
     * The pipeline's one {@link Routing}: chains in the database, health and the forced provider in the shared state
     * (so instances on one Redis share circuits), the catalog's prices for the cost strategy.
     */
    private static Routing routing(RoutingSettings settings, ProviderRegistry registry, SharedState state,
                                   Database database, InstantSource clock) {
        Routing.Builder routing = Routing.builder(registry).sharedState(state).chains(database.chains()).clock(clock)
                .pricing(registry.catalog()).circuit(settings.circuit());
        settings.defaultChain().ifPresent(routing::defaultChain);
        return routing.build();
    }

    /**
     * Writes the configuration's chains to the database, each replacing the stored chain of its name (chains created
     * over the API under other names stay), after checking that every target can be served; then loads every chain,
     * so the first call finds them.
     *
     * @throws IllegalArgumentException naming the chain and field at fault
     */
    private static void loadChains(RoutingSettings settings, ProviderRegistry registry, Routing routing) {
        Chains chains = routing.chains().orElseThrow();
        for (int i = 0; i < settings.chains().size(); i++) {
            FallbackChain chain = settings.chains().get(i);
            try {
                ChainCheck.check(chain, registry);
            } catch (InvalidRequest e) {
                throw new IllegalArgumentException("routing.fallback_chains[" + i + "]"
                        + e.param().map(p -> "." + p).orElse("") + " (chain '" + chain.name() + "'): "
                        + e.getMessage(), e);
            }
        }
        settings.chains().forEach(chains::put);
        chains.refresh();
        if (!settings.chains().isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "fallback chains from the configuration: "
                    + settings.chains().stream().map(FallbackChain::name).toList());
        }
        settings.defaultChain().ifPresent(name -> {
            if (chains.get(name).isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "the default chain '" + name + "' does not exist yet: plain"
                        + " models have no fallback until a chain of that name is created");
            }
        });
    }

    /** The alert service when the settings enable it, with a startup line that names channels, never URLs. */
    private static Optional<Alerts> alerts(AlertSettings settings, InstantSource clock) {
        Optional<Alerts> alerts = settings.build(clock);
        if (alerts.isPresent()) {
            LOG.log(System.Logger.Level.INFO, "alerts to " + String.join(", ", alerts.get().channels()));
        } else if (settings.enabled()) {
            LOG.log(System.Logger.Level.WARNING, "alerts are enabled but no webhook URL is set"
                    + " (SLACK_WEBHOOK_URL, TEAMS_WEBHOOK_URL, DISCORD_WEBHOOK_URL): no alerts will be sent");
        } else if (settings.slack().isPresent() || settings.teams().isPresent() || settings.discord().isPresent()) {
            LOG.log(System.Logger.Level.INFO, "a webhook URL is set but alerts are off"
                    + " (SMARTFLOW_ALERTS_ENABLED is not true)");
        }
        return alerts;
    }

    /** The bound port of a running service. */
    public int port(Service service) {
        Javalin app = apps.get(Objects.requireNonNull(service, "service"));
        if (app == null) {
            throw new IllegalArgumentException(service.id() + " is not running");
        }
        return app.port();
    }

    /** The durable store the services use; for tests that seed or inspect records. */
    Database database() {
        return database;
    }

    /** What the proxy charges request bodies to; for tests that check it is all released. */
    BodyBudget bodyBudget() {
        return bodyBudget;
    }

    /** The server's Prometheus metrics, for in-process scraping. */
    public Metrics metrics() {
        return metrics;
    }

    public List<Service> services() {
        return new ArrayList<>(apps.keySet());
    }

    /**
     * Stops every service, then closes the pipeline (releasing the providers), drains the audit writer into the
     * database (what it cannot write in time waits in {@code <data dir>/audit-spool} for the next start), writes
     * pending spend, sends queued alerts (up to a few seconds), and releases the key cache, the shared state and the
     * database, in that order.
     */
    @Override
    public void close() {
        apps.values().forEach(app -> {
            try {
                app.stop();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "stopping a service failed", e);
            }
        });
        if (smartflow != null) {
            smartflow.close();
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + resources.get(i).getClass().getSimpleName()
                        + " failed", e);
            }
        }
    }
}
