package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The gateway's overall health (the SDK guide's {@code SystemHealth}, {@code GET /api/health/comprehensive}).
 *
 * @param status             {@code healthy}, {@code degraded} or {@code unhealthy}
 * @param uptimeSeconds      since the instance started
 * @param version            the gateway's version
 * @param redisConnected     whether the shared state (Redis) answers; false when the instance runs without Redis
 * @param databaseConnected  whether the database answers
 * @param providersAvailable the providers with credentials
 * @param providers          each provider's health, by name
 * @param cache              the cache's figures, as sent
 * @param timestamp          when the gateway answered
 * @param json               the whole answer
 */
public record SystemHealth(String status, long uptimeSeconds, String version, boolean redisConnected,
                           boolean databaseConnected, List<String> providersAvailable, JsonNode providers,
                           JsonNode cache, Instant timestamp, JsonNode json) {
    public SystemHealth {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(version, "version");
        providersAvailable = List.copyOf(providersAvailable);
        Objects.requireNonNull(providers, "providers");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(json, "json");
    }

    /** The API reference's name for {@link #status()}. */
    public String overallStatus() {
        return status;
    }

    static SystemHealth from(JsonNode body) {
        return new SystemHealth(Json.text(body, "status", Json.text(body, "overall_status")),
                Json.number(body, "uptime_seconds"), Json.text(body, "version"), Json.bool(body, "redis_connected"),
                Json.bool(body, "database_connected"), Json.strings(body, "providers_available"),
                body.path("providers"), body.path("cache"), Json.instant(body, "timestamp"), body);
    }
}
