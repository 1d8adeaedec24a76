package dev.smartflow.server.policy;

import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.http.Services;
import io.javalin.Javalin;

/**
 * The policy service (port 7782): listens and answers {@code GET /health} so deployments can wire it up now; its API
 * (policies and presets) arrives with its own issue.
 */
public final class PolicyService {
    private PolicyService() {
    }

    public static Javalin create(ServerConfig config) {
        return Services.create("policy", config.maxRequestBytes(), app -> { });
    }
}
