package dev.smartflow.compliance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.spi.Policy;
import dev.smartflow.core.spi.PolicyAssignment;
import dev.smartflow.core.spi.PolicyJob;
import dev.smartflow.core.spi.PolicyPreset;
import dev.smartflow.core.spi.PolicySuggestion;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The policy library's records in the API's JSON, both ways. Reading checks every field against the limits below and
 * answers a 400 naming the field for anything else; unknown fields are refused, except the read-only ones a
 * {@code GET} answers with ({@code id}, {@code created_at}, {@code updated_at}), so that a policy read can be edited
 * and sent back.
 *
 * <p>Limits: {@code name} 256 characters, {@code description} 4,096, {@code content} 32,768 (line breaks allowed in
 * both), {@code regulatory_framework} 128; lists of at most 64 entries of at most 128 characters; a preset at most 256
 * policies; no control characters (but line breaks in descriptions and content) and no unpaired surrogates anywhere.
 */
final class PolicyJson {
    static final int MAX_NAME = 256;
    static final int MAX_DESCRIPTION = 4_096;
    static final int MAX_CONTENT = 32_768;
    static final int MAX_FRAMEWORK = 128;
    static final int MAX_ENTRIES = 64;
    static final int MAX_ENTRY = 128;
    static final int MAX_PRESET_POLICIES = 256;
    static final String TYPES = "compliance, brand, format, role, industry, legal or security";
    static final String SEVERITIES = "critical, high, medium or low";
    static final String ACTIONS = "block, redact or log";
    /** Ids the routes use for themselves under {@code /api/policies/}. */
    static final Set<String> RESERVED_IDS = Set.of("generate");

    private static final Set<String> POLICY_FIELDS = Set.of("id", "name", "description", "policy_type", "content",
            "priority", "applicable_providers", "applicable_models", "regulatory_framework", "severity", "action",
            "metadata", "detectors", "is_active", "created_at", "updated_at");
    private static final Set<String> METADATA_FIELDS = Set.of("source_ips", "ad_groups", "departments",
            "applications");
    private static final Set<String> PRESET_FIELDS = Set.of("id", "name", "description", "use_case", "policy_ids",
            "policies", "created_at", "updated_at");

    private final Set<String> detectorNames;

    PolicyJson(Set<String> detectorNames) {
        this.detectorNames = Set.copyOf(detectorNames);
    }

    // --- policies

    /** A new policy from a create request: its own {@code id} if it gives one, else {@code generatedId}. */
    Policy create(JsonNode body, String generatedId, Instant now) {
        JsonFields.onlyKnown(body, POLICY_FIELDS, "");
        String id = JsonFields.has(body, "id") ? ownId(body.get("id"), "id") : generatedId;
        return whole(body, id, now, now);
    }

    /** {@code existing} replaced by a full request ({@code PUT}): fields left out take their defaults. */
    Policy replace(Policy existing, JsonNode body, Instant now) {
        JsonFields.onlyKnown(body, POLICY_FIELDS, "");
        sameId(body, existing.id());
        return whole(body, existing.id(), existing.createdAt(), now);
    }

    /** {@code existing} with only the fields the request sends changed ({@code PATCH}). */
    Policy patch(Policy existing, JsonNode body, Instant now) {
        JsonFields.onlyKnown(body, POLICY_FIELDS, "");
        sameId(body, existing.id());
        for (String required : List.of("name", "policy_type", "content", "priority", "applicable_providers",
                "applicable_models", "severity", "action", "is_active")) {
            if (body.has(required) && body.get(required).isNull()) {
                throw JsonFields.invalid("'" + required + "' cannot be null", required);
            }
        }
        return fields(body, existing.toBuilder()).updatedAt(now).build();
    }

    private Policy whole(JsonNode body, String id, Instant createdAt, Instant now) {
        for (String required : List.of("name", "policy_type", "content")) {
            if (!JsonFields.has(body, required)) {
                throw JsonFields.invalid("missing required field '" + required + "'", required);
            }
        }
        Policy.Builder builder = Policy.builder(id, JsonFields.text(body, "name", MAX_NAME, false),
                JsonFields.choice(body, "policy_type", TYPES, Policy.Type::parse),
                JsonFields.text(body, "content", MAX_CONTENT, true), createdAt);
        return fields(body, builder).updatedAt(now).build();
    }

    /** Sets on {@code builder} every field the body has (null clears the optional ones). */
    private Policy.Builder fields(JsonNode body, Policy.Builder builder) {
        if (body.has("name")) {
            builder.name(JsonFields.text(body, "name", MAX_NAME, false));
        }
        if (body.has("policy_type")) {
            builder.type(JsonFields.choice(body, "policy_type", TYPES, Policy.Type::parse));
        }
        if (body.has("content")) {
            builder.content(JsonFields.text(body, "content", MAX_CONTENT, true));
        }
        if (body.has("description")) {
            builder.description(body.get("description").isNull() ? ""
                    : JsonFields.optionalText(body, "description", MAX_DESCRIPTION, true));
        }
        if (body.has("priority")) {
            builder.priority(JsonFields.integer(body, "priority", Policy.MIN_PRIORITY, Policy.MAX_PRIORITY));
        }
        if (body.has("applicable_providers")) {
            builder.applicableProviders(scopes(body, "applicable_providers"));
        }
        if (body.has("applicable_models")) {
            builder.applicableModels(scopes(body, "applicable_models"));
        }
        if (body.has("regulatory_framework")) {
            builder.regulatoryFramework(body.get("regulatory_framework").isNull() ? Optional.empty()
                    : Optional.of(JsonFields.text(body, "regulatory_framework", MAX_FRAMEWORK, false)));
        }
        if (body.has("severity")) {
            builder.severity(JsonFields.choice(body, "severity", SEVERITIES, Policy.Severity::parse));
        }
        if (body.has("action")) {
            builder.action(JsonFields.choice(body, "action", ACTIONS, Policy.Action::parse));
        }
        if (body.has("metadata")) {
            builder.targeting(targeting(body.get("metadata")));
        }
        if (body.has("detectors")) {
            builder.detectors(detectors(body.get("detectors")));
        }
        if (body.has("is_active")) {
            builder.active(JsonFields.bool(body, "is_active"));
        }
        return builder;
    }

    private static List<String> scopes(JsonNode body, String field) {
        List<String> values = JsonFields.strings(body.get(field), field, MAX_ENTRIES, MAX_ENTRY);
        if (values.isEmpty()) {
            throw JsonFields.invalid("'" + field + "' must not be empty: [\"all\"] applies the policy everywhere",
                    field);
        }
        return values;
    }

    private static Policy.Targeting targeting(JsonNode metadata) {
        if (metadata.isNull()) {
            return Policy.Targeting.NONE;
        }
        if (!metadata.isObject()) {
            throw JsonFields.invalid("'metadata' must be an object", "metadata");
        }
        JsonFields.onlyKnown(metadata, METADATA_FIELDS, "metadata.");
        List<String> sourceIps = list(metadata, "source_ips");
        for (int i = 0; i < sourceIps.size(); i++) {
            if (IpRange.parse(sourceIps.get(i)).isEmpty()) {
                throw JsonFields.invalid("'metadata.source_ips[" + i + "]' must be an IP address or a CIDR range",
                        "metadata.source_ips[" + i + "]");
            }
        }
        return new Policy.Targeting(sourceIps, list(metadata, "ad_groups"), list(metadata, "departments"),
                list(metadata, "applications"));
    }

    private static List<String> list(JsonNode metadata, String field) {
        JsonNode value = metadata.get(field);
        return value == null || value.isNull() ? List.of()
                : JsonFields.strings(value, "metadata." + field, MAX_ENTRIES, MAX_ENTRY);
    }

    private List<String> detectors(JsonNode value) {
        if (value.isNull()) {
            return List.of();
        }
        List<String> names = JsonFields.strings(value, "detectors", MAX_ENTRIES, MAX_ENTRY);
        for (int i = 0; i < names.size(); i++) {
            if (!detectorNames.contains(names.get(i))) {
                throw JsonFields.invalid("'detectors[" + i + "]' must be one of " + detectorNames.stream().sorted()
                        .toList(), "detectors[" + i + "]");
            }
        }
        return names;
    }

    private static String ownId(JsonNode value, String param) {
        String id = JsonFields.id(value, param);
        if (RESERVED_IDS.contains(id)) {
            throw JsonFields.invalid("'" + param + "' cannot be '" + id + "' (a route of its own)", param);
        }
        return id;
    }

    private static void sameId(JsonNode body, String id) {
        if (body.has("id") && !(body.get("id").isTextual() && body.get("id").asText().equals(id))) {
            throw JsonFields.invalid("'id' cannot be changed (it is the path's)", "id");
        }
    }

    static ObjectNode write(Policy policy) {
        ObjectNode json = Body.MAPPER.createObjectNode();
        json.put("id", policy.id());
        json.put("name", policy.name());
        json.put("description", policy.description());
        json.put("policy_type", policy.type().id());
        json.put("content", policy.content());
        json.put("priority", policy.priority());
        strings(json.putArray("applicable_providers"), policy.applicableProviders());
        strings(json.putArray("applicable_models"), policy.applicableModels());
        if (policy.regulatoryFramework().isPresent()) {
            json.put("regulatory_framework", policy.regulatoryFramework().get());
        } else {
            json.putNull("regulatory_framework");
        }
        json.put("severity", policy.severity().id());
        json.put("action", policy.action().id());
        ObjectNode metadata = json.putObject("metadata");
        strings(metadata.putArray("source_ips"), policy.targeting().sourceIps());
        strings(metadata.putArray("ad_groups"), policy.targeting().adGroups());
        strings(metadata.putArray("departments"), policy.targeting().departments());
        strings(metadata.putArray("applications"), policy.targeting().applications());
        strings(json.putArray("detectors"), policy.detectors());
        json.put("is_active", policy.active());
        json.put("created_at", policy.createdAt().toString());
        json.put("updated_at", policy.updatedAt().toString());
        return json;
    }

    // --- presets

    /**
     * A preset from a create ({@code existing} empty) or full replace request; every policy it names must exist
     * ({@code known}), each once.
     */
    PolicyPreset preset(JsonNode body, Optional<PolicyPreset> existing, String generatedId, Set<String> known,
                        Instant now) {
        JsonFields.onlyKnown(body, PRESET_FIELDS, "");
        String id;
        if (existing.isPresent()) {
            sameId(body, existing.get().id());
            id = existing.get().id();
        } else {
            id = JsonFields.has(body, "id") ? ownId(body.get("id"), "id") : generatedId;
        }
        if (!JsonFields.has(body, "name")) {
            throw JsonFields.invalid("missing required field 'name'", "name");
        }
        List<String> policyIds = JsonFields.has(body, "policy_ids")
                ? JsonFields.strings(body.get("policy_ids"), "policy_ids", MAX_PRESET_POLICIES, MAX_ENTRY)
                : List.of();
        for (int i = 0; i < policyIds.size(); i++) {
            if (!known.contains(policyIds.get(i))) {
                throw JsonFields.invalid("'policy_ids[" + i + "]' names no policy ('"
                        + JsonFields.printable(policyIds.get(i)) + "')", "policy_ids[" + i + "]");
            }
        }
        return new PolicyPreset(id, JsonFields.text(body, "name", MAX_NAME, false),
                optional(body, "description", MAX_DESCRIPTION), optional(body, "use_case", MAX_DESCRIPTION),
                policyIds, existing.map(PolicyPreset::createdAt).orElse(now), now);
    }

    private static String optional(JsonNode body, String field, int max) {
        return JsonFields.has(body, field) ? JsonFields.optionalText(body, field, max, true) : "";
    }

    /** A preset with its policies in order, each in full (a policy deleted meanwhile is left out). */
    static ObjectNode write(PolicyPreset preset, Map<String, Policy> policies) {
        ObjectNode json = Body.MAPPER.createObjectNode();
        json.put("id", preset.id());
        json.put("name", preset.name());
        json.put("description", preset.description());
        json.put("use_case", preset.useCase());
        strings(json.putArray("policy_ids"), preset.policyIds());
        ArrayNode list = json.putArray("policies");
        preset.policyIds().stream().map(policies::get).filter(Objects::nonNull)
                .forEach(policy -> list.add(write(policy)));
        json.put("created_at", preset.createdAt().toString());
        json.put("updated_at", preset.updatedAt().toString());
        return json;
    }

    // --- assignments, jobs, suggestions

    static ObjectNode write(PolicyAssignment assignment) {
        ObjectNode json = Body.MAPPER.createObjectNode();
        json.put("id", assignment.id());
        json.put("scope", assignment.scope().id());
        if (assignment.scope() == PolicyAssignment.Scope.GLOBAL) {
            json.putNull("target");
        } else {
            json.put("target", assignment.target());
        }
        json.put(assignment.kind() == PolicyAssignment.Kind.PRESET ? "preset_id" : "policy_id",
                assignment.subjectId());
        json.put("created_at", assignment.createdAt().toString());
        return json;
    }

    static ObjectNode write(PolicyJob job) {
        ObjectNode json = Body.MAPPER.createObjectNode();
        json.put("id", job.id());
        json.put("filename", job.filename());
        json.put("format", job.format());
        json.put("model", job.model());
        json.put("status", job.status().id());
        json.put("progress_pct", job.progressPct());
        json.put("pages", job.pages());
        json.put("chunks_total", job.chunksTotal());
        json.put("chunks_done", job.chunksDone());
        json.put("truncated", job.truncated());
        if (job.error().isPresent()) {
            json.put("error", job.error().get());
        } else {
            json.putNull("error");
        }
        json.put("created_at", job.createdAt().toString());
        json.put("updated_at", job.updatedAt().toString());
        return json;
    }

    static ObjectNode write(PolicySuggestion suggestion) {
        ObjectNode json = Body.MAPPER.createObjectNode();
        json.put("id", suggestion.id());
        json.put("name", suggestion.name());
        json.put("type", suggestion.type().id());
        json.put("content", suggestion.content());
        json.put("priority", suggestion.priority());
        if (suggestion.regulatoryFramework().isPresent()) {
            json.put("regulatory_framework", suggestion.regulatoryFramework().get());
        } else {
            json.putNull("regulatory_framework");
        }
        json.put("confidence", suggestion.confidence());
        if (suggestion.acceptedPolicyId().isPresent()) {
            json.put("accepted_policy_id", suggestion.acceptedPolicyId().get());
        } else {
            json.putNull("accepted_policy_id");
        }
        return json;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
