package dev.smartflow.core.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one provider attempt of a call ended: the target, the status it gave (the upstream's, or 502/504 for a broken
 * connection or a timeout), its error code when it failed, and how long it took.
 */
public record AttemptOutcome(String provider, String model, int status, Optional<String> error, long latencyMicros) {
    public AttemptOutcome {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(error, "error");
    }

    public boolean failed() {
        return error.isPresent();
    }

    /** The attempts as the audit log stores them: a JSON array of objects. */
    public static ArrayNode toJson(List<AttemptOutcome> attempts) {
        ArrayNode array = Body.MAPPER.createArrayNode();
        for (AttemptOutcome attempt : attempts) {
            ObjectNode node = array.addObject().put("provider", attempt.provider).put("model", attempt.model)
                    .put("status", attempt.status);
            attempt.error.ifPresent(e -> node.put("error", e));
            node.put("latency_us", attempt.latencyMicros);
        }
        return array;
    }

    /** The attempts {@link #toJson} wrote; entries that are not such objects are skipped. */
    public static List<AttemptOutcome> fromJson(JsonNode array) {
        List<AttemptOutcome> attempts = new ArrayList<>();
        for (JsonNode node : array) {
            if (node.path("provider").isTextual() && node.path("model").isTextual()
                    && node.path("status").canConvertToInt()) {
                attempts.add(new AttemptOutcome(node.get("provider").asText(), node.get("model").asText(),
                        node.get("status").asInt(), node.path("error").isTextual()
                                ? Optional.of(node.get("error").asText()) : Optional.empty(),
                        node.path("latency_us").asLong()));
            }
        }
        return attempts;
    }

    /** E.g. {@code openai/gpt-4o: 502 upstream_unavailable in 12 ms}. */
    public String describe() {
        return provider + "/" + model + ": " + status + error.map(e -> " " + e).orElse("") + " in "
                + Math.round(latencyMicros / 1000.0) + " ms";
    }
}
