package dev.smartflow.server.compliance;

import dev.smartflow.server.ServerConfig;
import dev.smartflow.server.http.Services;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import java.util.function.Consumer;

/**
 * The compliance service (port 7777): listens and answers {@code GET /health} so deployments can wire it up now; its
 * API (PII scanning and redaction) arrives with its own issue.
 */
public final class ComplianceService {
    private ComplianceService() {
    }

    public static Javalin create(ServerConfig config, Consumer<JavalinConfig> moduleRoutes) {
        return Services.create("compliance", config.maxRequestBytes(), moduleRoutes);
    }
}
