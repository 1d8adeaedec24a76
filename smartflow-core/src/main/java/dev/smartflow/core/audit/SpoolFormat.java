package dev.smartflow.core.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.KeyId;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One {@link AuditRecord} as one line of JSON in a spool segment. Every field the record has, named as the management
 * API names them, with {@code "v":1} first so that a later format can still read segments an older process left.
 * Absent values are left out.
 */
final class SpoolFormat {
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SpoolFormat() {
    }

    /** The record as one line, without the line break. */
    static String encode(AuditRecord record) {
        ObjectNode node = JSON.createObjectNode();
        node.put("v", VERSION);
        node.put("request_id", record.requestId());
        node.put("timestamp", record.timestamp().toString());
        record.keyId().ifPresent(id -> node.put("key_id", id.value()));
        record.userId().ifPresent(v -> node.put("user_id", v));
        record.orgId().ifPresent(v -> node.put("org_id", v));
        record.teamId().ifPresent(v -> node.put("team_id", v));
        node.put("route", record.route());
        node.put("provider", record.provider());
        node.put("model", record.model());
        node.put("prompt_tokens", record.promptTokens());
        node.put("completion_tokens", record.completionTokens());
        node.put("cost_micros", record.costMicros());
        node.put("cached", record.cached());
        record.hitType().ifPresent(v -> node.put("hit_type", v));
        record.complianceScore().ifPresent(v -> node.put("compliance_score", v));
        ArrayNode flags = node.putArray("compliance_flags");
        record.complianceFlags().forEach(flags::add);
        node.put("latency_micros", record.latencyMicros());
        node.put("status", record.status());
        record.error().ifPresent(v -> node.put("error", v));
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an audit record could not be written as JSON", e);
        }
    }

    /**
     * The record a line holds.
     *
     * @throws IllegalArgumentException when the line is not a record of a known version (e.g. torn by a crash)
     */
    static AuditRecord decode(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (node.path("v").asInt(-1) != VERSION) {
            throw new IllegalArgumentException("unknown spool format version " + node.path("v"));
        }
        try {
            List<String> flags = new ArrayList<>();
            node.path("compliance_flags").forEach(flag -> flags.add(flag.asText()));
            return new AuditRecord(required(node, "request_id"), Instant.parse(required(node, "timestamp")),
                    text(node, "key_id").map(KeyId::of), text(node, "user_id"), text(node, "org_id"),
                    text(node, "team_id"), required(node, "route"), required(node, "provider"),
                    required(node, "model"), whole(node, "prompt_tokens"), whole(node, "completion_tokens"),
                    whole(node, "cost_micros"), node.path("cached").asBoolean(), text(node, "hit_type"),
                    node.path("compliance_score").isNumber()
                            ? OptionalDouble.of(node.get("compliance_score").asDouble()) : OptionalDouble.empty(),
                    flags, whole(node, "latency_micros"), (int) whole(node, "status"), text(node, "error"));
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException("not a valid audit record: " + e.getMessage(), e);
        }
    }

    private static String required(JsonNode node, String field) {
        return text(node, field).orElseThrow(() -> new IllegalArgumentException(field + " is missing"));
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() ? Optional.empty() : Optional.of(value.asText());
    }

    private static long whole(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToLong()) {
            throw new IllegalArgumentException(field + " is missing or not a whole number");
        }
        return value.asLong();
    }
}
