package dev.smartflow.compliance.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.keys.VirtualKeys;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.Policy;
import dev.smartflow.core.spi.PolicyAssignment;
import dev.smartflow.core.spi.PolicyPreset;
import dev.smartflow.core.spi.PolicyStore;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The policy library's HTTP API on the policy service (master key): {@code /api/stats}, {@code /api/policies},
 * {@code /api/presets}, {@code /api/assignments} and {@code /api/keys/{key}/policies}. Every answer has
 * {@code "success": true}; errors are OpenAI's shape with the field at fault in {@code param}.
 */
final class PolicyRoutes {
    private static final Set<String> ASSIGNMENT_FIELDS = Set.of("scope", "target", "preset_id", "policy_id");

    private final PolicyLibrary library;
    private final PolicyJson json;
    private final PolicyStats stats;
    private final Supplier<KeyStore> keys;

    PolicyRoutes(PolicyLibrary library, PolicyJson json, PolicyStats stats, Supplier<KeyStore> keys) {
        this.library = library;
        this.json = json;
        this.stats = stats;
        this.keys = keys;
    }

    /** Registers the routes; the document routes under {@code /api/policies/generate} must come first. */
    void register(JavalinConfig app) {
        app.routes.get("/api/stats", this::stats);
        app.routes.get("/api/policies", this::listPolicies);
        app.routes.post("/api/policies", this::createPolicy);
        app.routes.get("/api/policies/{id}", ctx -> answer(ctx, 200, success().set("policy",
                PolicyJson.write(library.policy(ctx.pathParam("id"))))));
        app.routes.put("/api/policies/{id}", ctx -> {
            Policy existing = library.policy(ctx.pathParam("id"));
            Policy replaced = library.update(json.replace(existing, JsonFields.object(ctx), library.now()));
            answer(ctx, 200, message("Policy '" + replaced.id() + "' replaced").set("policy",
                    PolicyJson.write(replaced)));
        });
        app.routes.patch("/api/policies/{id}", ctx -> {
            Policy existing = library.policy(ctx.pathParam("id"));
            Policy patched = library.update(json.patch(existing, JsonFields.object(ctx), library.now()));
            answer(ctx, 200, message("Policy '" + patched.id() + "' updated").set("policy",
                    PolicyJson.write(patched)));
        });
        app.routes.delete("/api/policies/{id}", ctx -> {
            String id = ctx.pathParam("id");
            library.deletePolicy(id);
            answer(ctx, 200, message("Policy '" + JsonFields.printable(id) + "' deleted"));
        });

        app.routes.get("/api/presets", this::listPresets);
        app.routes.post("/api/presets", ctx -> {
            PolicyPreset preset = library.create(json.preset(JsonFields.object(ctx), Optional.empty(),
                    PolicyLibrary.newId("pre_"), policyIds(), library.now()));
            answer(ctx, 201, message("Preset '" + preset.id() + "' created").set("preset", describe(preset)));
        });
        app.routes.get("/api/presets/{id}", ctx -> answer(ctx, 200, success().set("preset",
                describe(library.preset(ctx.pathParam("id"))))));
        app.routes.put("/api/presets/{id}", ctx -> {
            PolicyPreset existing = library.preset(ctx.pathParam("id"));
            PolicyPreset replaced = library.update(json.preset(JsonFields.object(ctx), Optional.of(existing),
                    existing.id(), policyIds(), library.now()));
            answer(ctx, 200, message("Preset '" + replaced.id() + "' replaced").set("preset", describe(replaced)));
        });
        app.routes.delete("/api/presets/{id}", ctx -> {
            String id = ctx.pathParam("id");
            library.deletePreset(id);
            answer(ctx, 200, message("Preset '" + JsonFields.printable(id) + "' deleted"));
        });

        app.routes.get("/api/assignments", this::listAssignments);
        app.routes.post("/api/assignments", this::assign);
        app.routes.delete("/api/assignments/{id}", ctx -> {
            String id = ctx.pathParam("id");
            library.unassign(id);
            answer(ctx, 200, message("Assignment '" + JsonFields.printable(id) + "' deleted"));
        });
        app.routes.get("/api/keys/{key}/policies", this::effective);
    }

    private void stats(Context ctx) {
        PolicyStore store = library.store();
        List<Policy> policies = store.policies();
        Map<String, Long> totals = stats.totals();
        ObjectNode answer = success();
        answer.put("total_policies", policies.size());
        answer.put("active_policies", policies.stream().filter(Policy::active).count());
        answer.put("total_presets", store.presets().size());
        answer.put("total_assignments", store.assignments().size());
        answer.put("total_applications", totals.getOrDefault(PolicyStats.APPLICATIONS, 0L));
        answer.put("compliance_violations", totals.getOrDefault(PolicyStats.VIOLATIONS, 0L));
        answer.put("requests_evaluated", totals.getOrDefault(PolicyStats.REQUESTS, 0L));
        answer.put("requests_blocked", totals.getOrDefault(PolicyStats.BLOCKED, 0L));
        answer.put("requests_redacted", totals.getOrDefault(PolicyStats.REDACTED, 0L));
        answer(ctx, 200, answer);
    }

    /** Every policy, highest priority first; {@code ?is_active=true|false} and {@code ?policy_type=} filter. */
    private void listPolicies(Context ctx) {
        Optional<Boolean> active = Optional.ofNullable(ctx.queryParam("is_active")).map(value -> switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidRequest("'is_active' must be true or false", "invalid_request",
                    "is_active");
        });
        Optional<Policy.Type> type = Optional.ofNullable(ctx.queryParam("policy_type")).map(value ->
                Policy.Type.parse(value).orElseThrow(() -> new InvalidRequest("'policy_type' must be one of "
                        + PolicyJson.TYPES, "invalid_request", "policy_type")));
        List<Policy> policies = library.store().policies().stream()
                .filter(p -> active.map(a -> p.active() == a).orElse(true))
                .filter(p -> type.map(t -> p.type() == t).orElse(true))
                .sorted(Comparator.comparingInt((Policy p) -> -p.priority()).thenComparing(Policy::id))
                .toList();
        ObjectNode answer = success();
        answer.put("total", policies.size());
        ArrayNode list = answer.putArray("policies");
        policies.forEach(p -> list.add(PolicyJson.write(p)));
        answer(ctx, 200, answer);
    }

    private void createPolicy(Context ctx) {
        Policy policy = library.create(json.create(JsonFields.object(ctx), PolicyLibrary.newId("pol_"),
                library.now()));
        answer(ctx, 201, message("Policy '" + policy.id() + "' created").set("policy", PolicyJson.write(policy)));
    }

    private void listPresets(Context ctx) {
        Map<String, Policy> policies = policiesById();
        List<PolicyPreset> presets = library.store().presets();
        ObjectNode answer = success();
        answer.put("total", presets.size());
        ArrayNode list = answer.putArray("presets");
        presets.forEach(p -> list.add(PolicyJson.write(p, policies)));
        answer(ctx, 200, answer);
    }

    private ObjectNode describe(PolicyPreset preset) {
        return PolicyJson.write(preset, policiesById());
    }

    private Map<String, Policy> policiesById() {
        return library.store().policies().stream().collect(Collectors.toMap(Policy::id, Function.identity()));
    }

    private Set<String> policyIds() {
        return library.store().policies().stream().map(Policy::id).collect(Collectors.toSet());
    }

    /** Every assignment, oldest first; {@code ?scope=} and {@code ?target=} filter. */
    private void listAssignments(Context ctx) {
        Optional<PolicyAssignment.Scope> scope = Optional.ofNullable(ctx.queryParam("scope")).map(value ->
                PolicyAssignment.Scope.parse(value).orElseThrow(() -> new InvalidRequest("'scope' must be global, "
                        + "key, owner, team, role or tag", "invalid_request", "scope")));
        Optional<String> target = Optional.ofNullable(ctx.queryParam("target"));
        List<PolicyAssignment> assignments = library.store().assignments().stream()
                .filter(a -> scope.map(s -> a.scope() == s).orElse(true))
                .filter(a -> target.map(t -> a.target().equals(t)).orElse(true))
                .toList();
        ObjectNode answer = success();
        answer.put("total", assignments.size());
        ArrayNode list = answer.putArray("assignments");
        assignments.forEach(a -> list.add(PolicyJson.write(a)));
        answer(ctx, 200, answer);
    }

    /**
     * {@code {"scope": "team", "target": "billing", "preset_id": "pre_..."}} (or {@code policy_id}); scopes:
     * {@code global} (no target), {@code key} (a key id), {@code owner}, {@code team}, {@code role}, {@code tag}
     * ({@code name=value}).
     */
    private void assign(Context ctx) {
        JsonNode body = JsonFields.object(ctx);
        JsonFields.onlyKnown(body, ASSIGNMENT_FIELDS, "");
        PolicyAssignment.Scope scope = JsonFields.choice(body, "scope", "global, key, owner, team, role or tag",
                PolicyAssignment.Scope::parse);
        String target = "";
        if (scope == PolicyAssignment.Scope.GLOBAL) {
            if (JsonFields.has(body, "target")) {
                throw JsonFields.invalid("a global assignment has no 'target'", "target");
            }
        } else {
            target = JsonFields.text(body, "target", VirtualKeys.MAX_NAME_LENGTH, false);
            if (scope == PolicyAssignment.Scope.TAG) {
                int eq = target.indexOf('=');
                if (eq <= 0 || eq == target.length() - 1) {
                    throw JsonFields.invalid("a tag assignment's 'target' is name=value", "target");
                }
            }
            if (scope == PolicyAssignment.Scope.KEY && keys.get().findById(KeyId.of(target)).isEmpty()) {
                throw JsonFields.invalid("'target' names no virtual key ('" + JsonFields.printable(target) + "')",
                        "target");
            }
        }
        boolean preset = JsonFields.has(body, "preset_id");
        if (preset == JsonFields.has(body, "policy_id")) {
            throw JsonFields.invalid("an assignment names either 'preset_id' or 'policy_id'",
                    preset ? "policy_id" : "preset_id");
        }
        String field = preset ? "preset_id" : "policy_id";
        String subject = JsonFields.text(body, field, PolicyJson.MAX_ENTRY, false);
        boolean exists = preset ? library.store().preset(subject).isPresent()
                : library.store().policy(subject).isPresent();
        if (!exists) {
            throw JsonFields.invalid("'" + field + "' names no " + (preset ? "preset" : "policy") + " ('"
                    + JsonFields.printable(subject) + "')", field);
        }
        PolicyAssignment assignment = library.assign(new PolicyAssignment(PolicyLibrary.newId("asg_"), scope,
                target, preset ? PolicyAssignment.Kind.PRESET : PolicyAssignment.Kind.POLICY, subject,
                library.now()));
        answer(ctx, 201, message("Assignment '" + assignment.id() + "' created").set("assignment",
                PolicyJson.write(assignment)));
    }

    /**
     * A key's effective policies in evaluation order, each with the assignments that brought it ({@code via}; empty
     * for a policy no assignment names, which applies to everyone). {@code {key}} is a key id or token.
     * {@code ?provider=}, {@code ?model=} and {@code ?ip=} keep only the policies that apply to such a call.
     */
    private void effective(Context ctx) {
        VirtualKey key = key(ctx.pathParam("key"));
        Principal principal = Principal.of(key);
        Optional<String> provider = query(ctx, "provider");
        Optional<String> model = query(ctx, "model");
        Optional<String> ip = query(ctx, "ip");
        if (ip.isPresent() && IpRange.address(ip.get()).isEmpty()) {
            throw new InvalidRequest("'ip' must be an IP address", "invalid_request", "ip");
        }
        Set<String> providers = new HashSet<>();
        provider.ifPresent(p -> providers.add(p.toLowerCase(Locale.ROOT)));
        Set<String> models = new HashSet<>();
        model.ifPresent(m -> {
            models.add(m.toLowerCase(Locale.ROOT));
            provider.ifPresent(p -> models.add((p + "/" + m).toLowerCase(Locale.ROOT)));
        });
        CompiledPolicy.CallerFacts caller = PolicyEvaluator.facts(principal, ip);
        ArrayNode list = Body.MAPPER.createArrayNode();
        for (PolicySnapshot.Effective effective : library.catalog().current().effective(principal)) {
            CompiledPolicy policy = effective.policy();
            boolean applies = (provider.isEmpty() || policy.appliesTo(providers, Set.of(Policy.ALL)))
                    && (model.isEmpty() || policy.appliesTo(Set.of(Policy.ALL), models))
                    && policy.admits(caller, ip.isPresent());
            if (applies) {
                ObjectNode entry = PolicyJson.write(policy.policy());
                ArrayNode via = entry.putArray("via");
                effective.via().forEach(a -> via.add(PolicyJson.write(a)));
                list.add(entry);
            }
        }
        ObjectNode answer = success();
        answer.put("key_id", key.id().value());
        answer.put("total", list.size());
        answer.set("policies", list);
        answer(ctx, 200, answer);
    }

    private static Optional<String> query(Context ctx, String name) {
        Optional<String> value = Optional.ofNullable(ctx.queryParam(name)).map(String::strip)
                .filter(v -> !v.isEmpty());
        value.flatMap(v -> JsonFields.problem(v, PolicyJson.MAX_ENTRY, false)).ifPresent(problem -> {
            throw new InvalidRequest("'" + name + "' " + problem, "invalid_request", name);
        });
        return value;
    }

    /** The key a path names by id or token; a token is looked up by its hash and never repeated. */
    private VirtualKey key(String idOrToken) {
        if (idOrToken.toLowerCase(Locale.ROOT).startsWith(VirtualKeys.PREFIX)) {
            return keys.get().findByTokenHash(VirtualKeys.hash(idOrToken))
                    .orElseThrow(() -> new NotFound("no virtual key has this token", "key_not_found"));
        }
        return keys.get().findById(KeyId.of(idOrToken)).orElseThrow(() -> new NotFound("no virtual key '"
                + JsonFields.printable(idOrToken) + "'", "key_not_found"));
    }

    static ObjectNode success() {
        return Body.MAPPER.createObjectNode().put("success", true);
    }

    static ObjectNode message(String message) {
        return success().put("message", message);
    }

    static void answer(Context ctx, int status, JsonNode json) {
        try {
            Services.json(ctx, status, Body.MAPPER.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an answer cannot be written as JSON", e);
        }
    }
}
