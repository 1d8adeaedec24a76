package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One provider's health as the gateway's routing sees it (the SDK guide's {@code ProviderHealth}).
 *
 * @param status {@code healthy}, {@code degraded} or {@code unhealthy}
 */
public record ProviderHealth(String provider, String status, double latencyMs, double successRate, double errorRate,
                             long requestsTotal, Instant lastUpdated) {
    public ProviderHealth {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(lastUpdated, "lastUpdated");
    }

    static ProviderHealth from(JsonNode node) {
        return new ProviderHealth(Json.text(node, "provider"), Json.text(node, "status"),
                Json.decimal(node, "latency_ms"), Json.decimal(node, "success_rate"), Json.decimal(node, "error_rate"),
                Json.number(node, "requests_total"), Json.instant(node, "last_updated"));
    }
}
