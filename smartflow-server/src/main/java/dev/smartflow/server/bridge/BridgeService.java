package dev.smartflow.server.bridge;

import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.http.Services;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import java.util.function.Consumer;

/**
 * The bridge service (port 3500): listens and answers {@code GET /health} so deployments can wire it up now; its API
 * (the hybrid bridge) arrives with its own issue.
 */
public final class BridgeService {
    private BridgeService() {
    }

    public static Javalin create(ServerConfig config, Consumer<JavalinConfig> moduleRoutes) {
        return Services.create("bridge", config.maxRequestBytes(), moduleRoutes);
    }
}
