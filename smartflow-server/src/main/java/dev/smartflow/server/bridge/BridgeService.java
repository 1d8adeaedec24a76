package dev.smartflow.server.bridge;

import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.http.Services;
import io.javalin.Javalin;

/**
 * The bridge service (port 3500): listens and answers {@code GET /health} so deployments can wire it up now; its API
 * (the hybrid bridge) arrives with its own issue.
 */
public final class BridgeService {
    private BridgeService() {
    }

    public static Javalin create(ServerConfig config) {
        return Services.create("bridge", config.maxRequestBytes(), app -> { });
    }
}
