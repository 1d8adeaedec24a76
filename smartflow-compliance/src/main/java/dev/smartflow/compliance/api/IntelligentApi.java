package dev.smartflow.compliance.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.compliance.ComplianceEngine;
import dev.smartflow.compliance.CompliancePolicy;
import dev.smartflow.compliance.Flagged;
import dev.smartflow.compliance.RecommendedAction;
import dev.smartflow.compliance.RiskLevel;
import dev.smartflow.compliance.detect.EntityType;
import dev.smartflow.compliance.intel.Baselines;
import dev.smartflow.compliance.intel.Deviation;
import dev.smartflow.compliance.intel.IntelligentEngine;
import dev.smartflow.compliance.intel.IntelligentResult;
import dev.smartflow.compliance.intel.MlMatch;
import dev.smartflow.compliance.intel.SimilarityLayer;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.keys.Authenticator;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The intelligent part of the Compliance API. {@code POST /api/compliance/intelligent/scan} and
 * {@code POST /api/compliance/intelligent/feedback} run through the pipeline (master key, or a virtual key within its
 * own tenant); the views and the checkpoint are admin routes (master key only):
 *
 * <pre>
 * GET  /api/compliance/intelligent/learning/status/{user_id}[?org_id=]   a user's learning status and baseline
 * GET  /api/compliance/intelligent/learning/summary                      every user's learning, summed up
 * GET  /api/compliance/intelligent/ml/stats                              patterns, learned patterns, confidence
 * GET  /api/compliance/intelligent/org/summary                           every organisation's figures
 * GET  /api/compliance/intelligent/org/{org_id}/baseline                 one organisation's baseline
 * GET  /api/compliance/intelligent/persistence/stats                     what the shared state holds
 * POST /api/compliance/intelligent/save                                  a checkpoint
 * GET  /api/compliance/intelligent/health                                the layers' health
 * </pre>
 *
 * <p>Scopes: a virtual key's scans count in its tenant ({@code org:<org tag>}, or {@code key:<key id>}); the master
 * key's in {@code org:<org_id>} when the body names one, else {@code master}. An {@code org_id} parameter names an
 * organisation by its tag ({@code acme}), or a scope as is ({@code key:key_1}, {@code master}).
 */
public final class IntelligentApi {
    public static final ModuleOperation SCAN = new ModuleOperation("compliance.intelligent.scan",
            "/api/compliance/intelligent/scan", false, false);
    public static final ModuleOperation FEEDBACK = new ModuleOperation("compliance.intelligent.feedback",
            "/api/compliance/intelligent/feedback", false, false);
    private static final String BASE = "/api/compliance/intelligent";

    private final ComplianceEngine rules;
    private final IntelligentEngine engine;

    public IntelligentApi(ComplianceEngine rules, IntelligentEngine engine) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    /** The pipeline operations, for {@link ComplianceApi}. */
    public Map<ModuleOperation, Function<Exchange, JsonNode>> operations() {
        return Map.of(SCAN, this::scan, FEEDBACK, this::feedback);
    }

    /** The admin routes, each behind the master key. */
    public void routes(JavalinConfig app, Authenticator master) {
        app.routes.get(BASE + "/learning/status/{user_id}", ctx -> admin(ctx, master, () -> learningStatus(ctx)));
        app.routes.get(BASE + "/learning/summary", ctx -> admin(ctx, master, this::learningSummary));
        app.routes.get(BASE + "/ml/stats", ctx -> admin(ctx, master, this::mlStats));
        app.routes.get(BASE + "/org/summary", ctx -> admin(ctx, master, this::orgSummary));
        app.routes.get(BASE + "/org/{org_id}/baseline", ctx -> admin(ctx, master,
                () -> orgBaseline(scopeParameter(parameter(ctx.pathParam("org_id"), "org_id")))));
        app.routes.get(BASE + "/persistence/stats", ctx -> admin(ctx, master, engine::persistenceStats));
        app.routes.post(BASE + "/save", ctx -> admin(ctx, master, engine::save));
        app.routes.get(BASE + "/health", ctx -> admin(ctx, master, this::health));
    }

    /** Checks the master key, then answers what {@code view} gives. */
    private static void admin(Context ctx, Authenticator master, Supplier<JsonNode> view) {
        Services.requireKey(ctx, master);
        Services.json(ctx, 200, view.get().toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A path or query value: 1 to 256 characters, no control characters. */
    private static String parameter(String value, String name) {
        JsonNode wrapped = Body.MAPPER.createObjectNode().put(name, value);
        return Fields.id(wrapped, name).orElseThrow(() -> new InvalidRequest("'" + name + "' must not be empty",
                "invalid_value", name));
    }

    private JsonNode scan(Exchange exchange) {
        JsonNode body = Fields.object(exchange.body());
        String content = Fields.text(body, "content");
        Optional<String> orgId = Fields.id(body, "org_id");
        Optional<String> userId = Fields.id(body, "user_id");
        Fields.id(body, "context");
        CompliancePolicy policy = ComplianceApi.policy(rules, exchange.principal(), body);
        Principal principal = exchange.principal();
        String scope = scope(principal, orgId);
        Optional<String> user = userId.or(() -> principal.key().map(k -> k.ownerId()));
        IntelligentResult result = engine.scan(content, policy, scope, scope, user);
        return result(result, scope, user);
    }

    /** The SDK guide's IntelligentScanResult, and the API reference's fields. */
    static ObjectNode result(IntelligentResult result, String scope, Optional<String> user) {
        ObjectNode answer = Body.MAPPER.createObjectNode();
        answer.put("scan_id", result.scanId());
        answer.put("has_violations", result.hasViolations());
        answer.put("risk_score", result.riskScore());
        answer.put("risk_level", result.riskLevel().id());
        answer.put("recommended_action", result.action().label());
        answer.put("explanation", result.explanation());
        ArrayNode regex = answer.putArray("regex_violations");
        for (Flagged f : result.regex()) {
            ComplianceApi.finding(regex.addObject().put("violation_type", f.finding().type().id())
                    .put("severity", severity(f.finding().type())).put("action", f.action().id())
                    .put("confidence", ComplianceApi.round(f.finding().score())), f.finding());
        }
        ArrayNode ml = answer.putArray("ml_violations");
        for (MlMatch match : result.ml()) {
            ml.addObject().put("category", match.category()).put("similarity", match.similarity())
                    .put("confidence", match.confidence()).put("learned", match.learned());
        }
        ArrayNode behaviour = answer.putArray("behavior_deviations");
        for (Deviation d : result.deviations()) {
            behaviour.addObject().put("type", d.type()).put("observed", d.observed()).put("expected", d.expected())
                    .put("size", d.size()).put("severity", d.severity()).put("detail", d.detail());
        }
        ArrayNode violations = answer.putArray("violations");
        result.regex().forEach(f -> violations.add(f.finding().type().id()));
        result.ml().forEach(m -> violations.add(m.category()));
        answer.put("processing_time_us", result.processingMicros());
        answer.put("policy", result.policy());
        answer.put("suppressed_by_feedback", result.suppressed());
        answer.put("ml_available", result.mlAvailable());
        answer.put("scope", scope);
        user.ifPresent(u -> answer.put("user_id", u));
        result.learning().ifPresent(b -> answer.put("learning_complete", b.learningComplete())
                .put("learning_progress_percent", b.progressPercent()));
        return answer;
    }

    private static String severity(EntityType type) {
        double s = type.severity();
        return s >= 1.0 ? "critical" : s >= 0.8 ? "high" : s >= 0.5 ? "medium" : "low";
    }

    private JsonNode feedback(Exchange exchange) {
        JsonNode body = Fields.object(exchange.body());
        String scanId = Fields.text(body, "scan_id");
        if (scanId.length() > 64 || !scanId.startsWith("scan_")) {
            throw new NotFound("no scan '" + (scanId.length() > 64 ? scanId.substring(0, 64) + "…" : scanId)
                    + "' is kept", "scan_not_found");
        }
        Optional<Boolean> falsePositive = Fields.flag(body, "is_false_positive");
        Optional<RecommendedAction> action = Fields.id(body, "correct_action").map(a -> RecommendedAction.parse(a)
                .orElseThrow(() -> new InvalidRequest("'correct_action' is Allow, AllowAndLog, Review or Block",
                        "invalid_value", "correct_action")));
        Optional<RiskLevel> level = Fields.id(body, "correct_risk_level").map(l -> RiskLevel.parse(l)
                .orElseThrow(() -> new InvalidRequest("'correct_risk_level' is low, medium, high or critical",
                        "invalid_value", "correct_risk_level")));
        if (falsePositive.isEmpty() && action.isEmpty() && level.isEmpty()) {
            throw new InvalidRequest("feedback needs 'is_false_positive', 'correct_action' or 'correct_risk_level'",
                    "missing_field", "is_false_positive");
        }
        JsonNode notesNode = body.get("notes");
        if (notesNode != null && !notesNode.isNull() && !notesNode.isTextual()) {
            throw new InvalidRequest("'notes' must be a string", "invalid_type", "notes");
        }
        Optional<String> notes = Optional.ofNullable(notesNode).filter(JsonNode::isTextual).map(JsonNode::textValue);
        Optional<String> user = Fields.id(body, "user_id");
        String scope = scope(exchange.principal(), Fields.id(body, "org_id"));
        IntelligentEngine.Feedback feedback = new IntelligentEngine.Feedback(scanId, falsePositive, action, level,
                user, notes);
        var applied = engine.feedback(scope, feedback).orElseThrow(() -> new NotFound("no scan '" + scanId
                + "' is kept for this caller (scans are kept " + 7 + " days)", "scan_not_found"));
        ObjectNode answer = Body.MAPPER.createObjectNode();
        answer.put("success", true);
        answer.put("scan_id", scanId);
        ComplianceApi.strings(answer.putArray("applied"), applied);
        answer.put("message", "Feedback recorded; later scans take it into account");
        return answer;
    }

    private JsonNode learningStatus(Context ctx) {
        String user = parameter(ctx.pathParam("user_id"), "user_id");
        String scope = scopeParameter(parameter(Optional.ofNullable(ctx.queryParam("org_id")).orElse("master"),
                "org_id"));
        Baselines.Baseline baseline = engine.baselines().user(scope, user);
        ObjectNode answer = baseline(Body.MAPPER.createObjectNode().put("user_id", user).put("scope", scope),
                baseline);
        answer.put("learning_complete", baseline.learningComplete());
        answer.put("progress_percent", baseline.progressPercent());
        answer.put("config_learning_days", engine.baselines().learningDays());
        return answer;
    }

    private JsonNode learningSummary() {
        long total = 0;
        long complete = 0;
        double progress = 0;
        for (String scope : engine.baselines().scopes()) {
            for (String user : engine.baselines().usersOf(scope)) {
                Baselines.Baseline baseline = engine.baselines().user(scope, user);
                total++;
                progress += baseline.progressPercent();
                if (baseline.learningComplete()) {
                    complete++;
                }
            }
        }
        ObjectNode answer = Body.MAPPER.createObjectNode();
        answer.put("total_users", total);
        answer.put("users_learning_complete", complete);
        answer.put("users_learning", total - complete);
        answer.put("average_progress_percent", total == 0 ? 0 : Math.round(progress / total * 10) / 10.0);
        answer.put("config_learning_days", engine.baselines().learningDays());
        answer.put("min_scans", 10);
        return answer;
    }

    private JsonNode mlStats() {
        ObjectNode answer = Body.MAPPER.createObjectNode();
        Optional<SimilarityLayer> layer = engine.similarity();
        answer.put("enabled", layer.isPresent());
        if (layer.isEmpty()) {
            return answer;
        }
        SimilarityLayer.Stats stats = layer.get().stats();
        answer.put("model", layer.get().model());
        answer.put("ready", layer.get().available());
        answer.put("total_patterns", stats.totalPatterns());
        answer.put("seed_patterns", stats.seedPatterns());
        answer.put("learned_patterns", stats.learnedPatterns());
        answer.put("average_confidence", Math.round(stats.averageConfidence() * 10_000) / 10_000.0);
        answer.put("scans", stats.scans());
        answer.put("matches", stats.matches());
        ArrayNode categories = answer.putArray("categories");
        stats.categories().keySet().forEach(categories::add);
        ObjectNode perCategory = answer.putObject("patterns_per_category");
        stats.categories().forEach(perCategory::put);
        return answer;
    }

    private JsonNode orgSummary() {
        ObjectNode answer = Body.MAPPER.createObjectNode();
        ArrayNode orgs = answer.putArray("orgs");
        long scans = 0;
        long violations = 0;
        for (String scope : engine.baselines().scopes().stream().sorted().toList()) {
            Baselines.Baseline org = engine.baselines().org(scope);
            scans += org.scans();
            violations += org.violations();
            ObjectNode entry = orgs.addObject().put("org_id", orgId(scope)).put("scope", scope)
                    .put("users", engine.baselines().users(scope)).put("total_scans", org.scans())
                    .put("violations", org.violations())
                    .put("violation_rate", Math.round(org.violationRate() * 10_000) / 10_000.0);
            ArrayNode top = entry.putArray("top_categories");
            org.topCategories().stream().limit(5).forEach(top::add);
        }
        answer.put("total_orgs", orgs.size());
        answer.put("total_scans", scans);
        answer.put("total_violations", violations);
        answer.put("violation_rate", scans == 0 ? 0 : Math.round((double) violations / scans * 10_000) / 10_000.0);
        return answer;
    }

    private JsonNode orgBaseline(String scope) {
        Baselines.Baseline org = engine.baselines().org(scope);
        ObjectNode answer = baseline(Body.MAPPER.createObjectNode().put("org_id", orgId(scope)).put("scope", scope)
                .put("users", engine.baselines().users(scope)), org);
        answer.put("learning_complete", org.learningComplete());
        return answer;
    }

    private static ObjectNode baseline(ObjectNode answer, Baselines.Baseline baseline) {
        answer.put("first_seen", baseline.firstSeen().map(Object::toString).orElse(null));
        answer.put("days_observed", Math.round(baseline.observedDays() * 100) / 100.0);
        answer.put("active_days", baseline.activeDays());
        answer.put("total_scans", baseline.scans());
        answer.put("scans_today", baseline.today());
        answer.put("violations", baseline.violations());
        answer.put("violation_rate", Math.round(baseline.violationRate() * 10_000) / 10_000.0);
        answer.put("avg_daily_scans", Math.round(baseline.averageDailyScans() * 100) / 100.0);
        ArrayNode top = answer.putArray("top_categories");
        baseline.topCategories().forEach(top::add);
        ObjectNode categories = answer.putObject("violation_categories");
        baseline.categories().forEach(categories::put);
        ArrayNode hours = answer.putArray("active_hours_utc");
        baseline.activeHours().forEach(hours::add);
        return answer;
    }

    private JsonNode health() {
        ObjectNode answer = Body.MAPPER.createObjectNode();
        ObjectNode layers = answer.putObject("layers");
        layers.putObject("rules").put("status", "ok").put("recognizers", EntityType.values().length)
                .put("policies", rules.policies().fallback().map(CompliancePolicy::name).orElse("none"));
        ObjectNode ml = layers.putObject("ml");
        boolean mlOk = true;
        if (engine.similarity().isEmpty()) {
            ml.put("status", "disabled");
        } else {
            boolean ready = engine.similarity().get().available();
            ml.put("status", ready ? "ok" : "loading").put("model", engine.similarity().get().model())
                    .put("ready", ready);
            mlOk = ready;
        }
        boolean reachable = engine.persistenceStats().path("reachable").asBoolean();
        layers.putObject("behaviour").put("status", reachable ? "ok" : "unreachable")
                .put("config_learning_days", engine.baselines().learningDays());
        answer.put("status", !reachable ? "unhealthy" : mlOk ? "healthy" : "degraded");
        answer.put("shared_state_reachable", reachable);
        return answer;
    }

    /** The scope a caller's scans count in. */
    static String scope(Principal principal, Optional<String> orgId) {
        if (principal.kind() == Principal.Kind.VIRTUAL_KEY) {
            return principal.tenant();
        }
        return orgId.map(IntelligentApi::scopeParameter).orElse(principal.tenant());
    }

    /** An org tag as a scope ({@code acme} → {@code org:acme}); a scope stays as it is. */
    static String scopeParameter(String orgId) {
        if (orgId.equals("master") || orgId.startsWith("org:") || orgId.startsWith("key:")
                || orgId.startsWith("app:")) {
            return orgId;
        }
        return "org:" + orgId;
    }

    private static String orgId(String scope) {
        return scope.startsWith("org:") ? scope.substring(4) : scope;
    }
}
