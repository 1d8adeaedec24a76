package dev.smartflow.mcp;

import dev.smartflow.server.ModuleContext;
import dev.smartflow.server.ServerModule;
import dev.smartflow.server.Service;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The MCP tool gateway as a server module ({@code mcp:} section of the configuration file): the registry of upstream
 * MCP servers at {@code /api/mcp/servers} on the proxy port (master key).
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
                        .orElseThrow(() -> new IllegalStateException("the MCP gateway needs the master key"))));
        ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
        Registry registry = new Registry(context.database().mcp(), box, context.state(), settings.statePrefix(),
                context.clock(), background);
        RegistryRoutes registryRoutes = new RegistryRoutes(registry, context.master(), context.clock());
        context.routes(Service.PROXY, registryRoutes::register);
        context.closeWith(background::shutdownNow).closeWith(registry);
    }
}
