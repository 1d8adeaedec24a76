package dev.smartflow.dashboard;

import dev.smartflow.core.Slot;
import dev.smartflow.core.spi.UserStore.Role;
import dev.smartflow.server.ModuleContext;
import dev.smartflow.server.ServerModule;
import dev.smartflow.server.Service;
import java.util.EnumSet;

/**
 * The admin dashboard and SafeChat as a server module ({@code dashboard:} section of the configuration file):
 * <ul>
 *   <li>management port: the dashboard's pages under {@code /dashboard/}, the login routes {@code /auth/*}, the users
 *       API {@code /api/dashboard/users}, and {@code /dashboard/relay/{service}/api/...} to the other services'
 *       admin APIs (see {@link Relay});</li>
 *   <li>proxy port: SafeChat under {@code /safechat/} and the same login routes;</li>
 *   <li>every admin API: the {@code smartflow_token} session cookie beside the master key (see {@link SessionGate});</li>
 *   <li>the pipeline: {@link SafeChatStage}, which tells SafeChat the compliance flags and cost of its calls.</li>
 * </ul>
 */
public final class DashboardModule implements ServerModule {
    private static final System.Logger LOG = System.getLogger(DashboardModule.class.getName());

    private final Passwords passwords;

    public DashboardModule() {
        this(Passwords.standard());
    }

    DashboardModule(Passwords passwords) {
        this.passwords = passwords;
    }

    @Override
    public String name() {
        return "dashboard";
    }

    @Override
    public void install(ModuleContext context) {
        DashboardSettings settings = DashboardSettings.from(context.config());
        if (!settings.enabled()) {
            LOG.log(System.Logger.Level.INFO, "the dashboard and SafeChat are off (dashboard.enabled: false)");
            return;
        }
        String masterKey = context.server().masterKey()
                .orElseThrow(() -> new IllegalStateException("the dashboard needs the master key"));
        SessionLedger ledger = new SessionLedger(context.state(), settings.statePrefix(), context.clock(),
                settings.sessionRecheck());
        context.closeWith(ledger);
        Sessions sessions = new Sessions(Sessions.keyOf(context.server().dataDir()), context.clock(),
                settings.sessionTtl(), ledger);
        LoginLimiter limiter = new LoginLimiter(settings.loginFailures(), settings.loginWindow(), context.clock());
        AuthRoutes auth = new AuthRoutes(context.database().users(), passwords, sessions, limiter, masterKey,
                context.master(), context.clock(), settings);
        context.adminSession(new SessionGate(sessions));
        context.requestHeaders(SafeChatStage.HEADER);
        context.pipeline().addStage(Slot.AUTHENTICATED, new SafeChatStage());

        Pages dashboard = new Pages("dashboard", EnumSet.of(Role.ADMIN, Role.VIEWER), sessions);
        Pages safechat = new Pages("safechat", EnumSet.allOf(Role.class), sessions);
        Relay relay = new Relay(context.boundPorts(), context.server().host(), context.server().maxRequestBytes());
        context.routes(Service.MANAGEMENT, app -> {
            auth.login(app, "/dashboard/");
            auth.users(app);
            dashboard.register(app);
            relay.register(app);
        });
        context.routes(Service.PROXY, app -> {
            auth.login(app, "/safechat/");
            safechat.register(app);
        });
    }
}
