package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One audit-log entry (the SDK guide's {@code VASLog}): a call the gateway served or refused. Never the prompt or the
 * answer.
 *
 * @param requestId        the call's id
 * @param timestamp        when it arrived
 * @param provider         the provider that answered (or last failed)
 * @param model            the model that served
 * @param tokensUsed       prompt plus completion tokens
 * @param promptTokens     tokens in
 * @param completionTokens tokens out
 * @param latencyMs        time to the last byte
 * @param cached           whether the cache answered
 * @param hitType          how the cache answered
 * @param costUsd          what the call cost
 * @param status           the HTTP status answered
 * @param userId           the end user, when known
 * @param keyId            the virtual key's id, when one called
 * @param complianceScore  the compliance score, when a scan ran
 * @param complianceFlags  what the scan flagged
 * @param instanceId       the gateway instance that served it (hybrid logs only)
 * @param json             the entry as sent
 */
public record VasLog(String requestId, Instant timestamp, String provider, String model, long tokensUsed,
                     long promptTokens, long completionTokens, double latencyMs, boolean cached,
                     Optional<String> hitType, BigDecimal costUsd, int status, Optional<String> userId,
                     Optional<String> keyId, OptionalDouble complianceScore, List<String> complianceFlags,
                     Optional<String> instanceId, JsonNode json) {
    public VasLog {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(hitType, "hitType");
        Objects.requireNonNull(costUsd, "costUsd");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(complianceScore, "complianceScore");
        complianceFlags = List.copyOf(complianceFlags);
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(json, "json");
    }

    static VasLog from(JsonNode entry) {
        long prompt = Json.number(entry, "prompt_tokens");
        long completion = Json.number(entry, "completion_tokens");
        long tokens = entry.has("tokens_used") ? Json.number(entry, "tokens_used") : prompt + completion;
        return new VasLog(Json.text(entry, "request_id"), Json.instant(entry, "timestamp"),
                Json.text(entry, "provider"), Json.text(entry, "model"), tokens, prompt, completion,
                Json.decimal(entry, "latency_ms"), Json.bool(entry, "cached"), Json.optionalText(entry, "hit_type"),
                Json.money(entry, "cost_usd"), (int) Json.number(entry, "status"), Json.optionalText(entry, "user_id"),
                Json.optionalText(entry, "key_id"), Json.optionalDecimal(entry, "compliance_score"),
                Json.strings(entry, "compliance_flags"), Json.optionalText(entry, "instance_id"), entry);
    }
}
