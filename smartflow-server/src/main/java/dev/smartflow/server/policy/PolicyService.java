package dev.smartflow.server.policy;

import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.http.Services;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import java.util.function.Consumer;

/**
 * The policy service (port 7782): listens and answers {@code GET /health} so deployments can wire it up now; its API
 * (policies and presets) arrives with its own issue.
 */
public final class PolicyService {
    private PolicyService() {
    }

    public static Javalin create(ServerConfig config, Consumer<JavalinConfig> moduleRoutes) {
        return Services.create("policy", config.maxRequestBytes(), moduleRoutes);
    }
}
