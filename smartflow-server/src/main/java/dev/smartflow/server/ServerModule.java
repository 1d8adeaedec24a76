package dev.smartflow.server;

import java.util.List;
import java.util.ServiceLoader;

/**
 * A capability the server gains by having its jar on the class path: {@link SmartflowServer#start} finds every
 * module with {@link ServiceLoader} ({@code META-INF/services/dev.smartflow.server.ServerModule}) and lets it
 * {@link #install} itself before any service starts: its pipeline stages by slot, its HTTP routes on a named service,
 * its closeables, from its own section of the configuration file. Neither core nor the server's wiring changes when
 * a module is added.
 *
 * <pre>{@code
 * public final class CacheModule implements ServerModule {
 *     public String name() { return "cache"; }                       // reads the file's "cache:" section
 *     public void install(ModuleContext context) {
 *         CacheStore store = CacheStore.open(context.config(), context.state());
 *         context.pipeline().addStage(Slot.CACHE, new CacheStage(store));
 *         context.routes(Service.MANAGEMENT, app -> app.routes.get("/api/cache/stats", store::stats));
 *         context.closeWith(store);
 *     }
 * }
 * }</pre>
 */
public interface ServerModule {
    /** The module's name, and the section of the configuration file it reads. */
    String name();

    /** Adds the module's stages, routes and closeables; called once, at start, before the services listen. */
    void install(ModuleContext context);

    /** Every module on the class path, in the order the class path lists them. */
    static List<ServerModule> discovered() {
        return ServiceLoader.load(ServerModule.class).stream().map(ServiceLoader.Provider::get).toList();
    }
}
