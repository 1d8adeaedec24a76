package dev.smartflow.server;

import dev.smartflow.core.Smartflow;
import dev.smartflow.core.keys.Authenticator;
import dev.smartflow.core.keys.MasterKeyAuthenticator;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.server.bridge.BridgeService;
import dev.smartflow.server.compliance.ComplianceService;
import dev.smartflow.server.management.ManagementService;
import dev.smartflow.server.policy.PolicyService;
import dev.smartflow.server.proxy.ProxyService;
import io.javalin.Javalin;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One Smartflow process: the pipeline and the services of {@link ServerConfig#services()}, each on its own port.
 *
 * <pre>{@code
 * try (SmartflowServer server = SmartflowServer.start(config, registry)) {
 *     int proxyPort = server.port(Service.PROXY);
 * }
 * }</pre>
 */
public final class SmartflowServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SmartflowServer.class.getName());

    private final Smartflow smartflow;
    private final Map<Service, Javalin> apps;

    private SmartflowServer(Smartflow smartflow, Map<Service, Javalin> apps) {
        this.smartflow = smartflow;
        this.apps = apps;
    }

    /**
     * Starts every configured service. The config must carry the master key (see {@link MasterKey}).
     *
     * @throws IllegalStateException if a port cannot be bound; services already started are stopped
     */
    public static SmartflowServer start(ServerConfig config, ProviderRegistry registry) {
        String masterKey = config.masterKey()
                .orElseThrow(() -> new IllegalArgumentException("the server needs a master key"));
        Authenticator master = new MasterKeyAuthenticator(masterKey);
        LOG.log(System.Logger.Level.INFO, "model catalog " + registry.catalog().version() + ": "
                + registry.catalog().entries().size() + " models");
        Smartflow smartflow = Smartflow.builder().resolver(registry).authenticator(master)
                .pricing(registry.catalog()).build();
        Map<Service, Javalin> apps = new EnumMap<>(Service.class);
        try {
            for (Service service : config.services()) {
                Javalin app = switch (service) {
                    case PROXY -> ProxyService.create(smartflow, registry, config);
                    case MANAGEMENT -> ManagementService.create(registry, master, config);
                    case COMPLIANCE -> ComplianceService.create(config);
                    case POLICY -> PolicyService.create(config);
                    case BRIDGE -> BridgeService.create(config);
                };
                apps.put(service, app);
                app.start(config.host(), config.port(service));
                LOG.log(System.Logger.Level.INFO, service.id() + " listening on " + config.host() + ":" + app.port());
            }
        } catch (RuntimeException e) {
            new SmartflowServer(smartflow, apps).close();
            throw e;
        }
        return new SmartflowServer(smartflow, apps);
    }

    /** The bound port of a running service. */
    public int port(Service service) {
        Javalin app = apps.get(Objects.requireNonNull(service, "service"));
        if (app == null) {
            throw new IllegalArgumentException(service.id() + " is not running");
        }
        return app.port();
    }

    public List<Service> services() {
        return new ArrayList<>(apps.keySet());
    }

    /** Stops every service, then releases the providers. */
    @Override
    public void close() {
        apps.values().forEach(app -> {
            try {
                app.stop();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "stopping a service failed", e);
            }
        });
        smartflow.close();
    }
}
