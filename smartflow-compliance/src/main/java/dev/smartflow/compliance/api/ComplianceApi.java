package dev.smartflow.compliance.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.compliance.ComplianceEngine;
import dev.smartflow.compliance.CompliancePolicy;
import dev.smartflow.compliance.ComplianceResult;
import dev.smartflow.compliance.Flagged;
import dev.smartflow.compliance.detect.Detector;
import dev.smartflow.compliance.detect.EntityType;
import dev.smartflow.compliance.detect.Finding;
import dev.smartflow.compliance.redact.Redactor;
import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The Compliance API's scanning operations, answered in the pipeline (so a call is authenticated by the master key or
 * a virtual key, rate limited and audited like any other): {@code POST /api/compliance/scan} and
 * {@code POST /api/compliance/redact}. A virtual key scans under its own tenant; what it sends is never stored.
 *
 * <p>The stage answers only its own operations and passes every other call on.
 */
public final class ComplianceApi implements Stage {
    public static final ModuleOperation SCAN = new ModuleOperation("compliance.scan", "/api/compliance/scan",
            false, false);
    public static final ModuleOperation REDACT = new ModuleOperation("compliance.redact", "/api/compliance/redact",
            false, false);

    private final ComplianceEngine engine;
    private final Map<ModuleOperation, Function<Exchange, JsonNode>> handlers;

    public ComplianceApi(ComplianceEngine engine, Map<ModuleOperation, Function<Exchange, JsonNode>> more) {
        this.engine = Objects.requireNonNull(engine, "engine");
        Map<ModuleOperation, Function<Exchange, JsonNode>> all = new HashMap<>(more);
        all.put(SCAN, this::scan);
        all.put(REDACT, this::redact);
        this.handlers = Map.copyOf(all);
    }

    /** Every operation this stage answers, for the routes. */
    public Set<ModuleOperation> operations() {
        return handlers.keySet();
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        if (!(exchange.operation() instanceof ModuleOperation operation) || !handlers.containsKey(operation)) {
            return chain.proceed(exchange);
        }
        return json(handlers.get(operation).apply(exchange));
    }

    static Response json(JsonNode answer) {
        return new Response.Complete(200, Headers.of("content-type", "application/json"), Body.of(answer));
    }

    /** {@code {content, policy?, user_id?, org_id?, context?}} → the SDK guide's ComplianceResult, and more. */
    private JsonNode scan(Exchange exchange) {
        JsonNode body = Fields.object(exchange.body());
        String content = Fields.text(body, "content");
        Fields.id(body, "user_id");
        Fields.id(body, "org_id");
        Fields.id(body, "context");
        CompliancePolicy policy = policy(engine, exchange.principal(), body);
        ComplianceResult result = engine.check(content, policy);
        return result(result);
    }

    /** The rule-based result as the API answers it. */
    public static ObjectNode result(ComplianceResult result) {
        ObjectNode answer = Body.MAPPER.createObjectNode();
        answer.put("has_violations", result.hasViolations());
        answer.put("compliance_score", round(result.complianceScore()));
        answer.put("risk_level", result.riskLevel().id());
        answer.put("recommended_action", result.recommendedAction().label());
        strings(answer.putArray("violations"), result.violations());
        strings(answer.putArray("pii_detected"), result.piiDetected());
        strings(answer.putArray("recommendations"), result.recommendations());
        answer.put("redacted_content", result.redactedContent());
        answer.put("policy", result.policy());
        ArrayNode findings = answer.putArray("findings");
        for (Flagged f : result.flagged()) {
            finding(findings.addObject(), f.finding()).put("action", f.action().id());
        }
        return answer;
    }

    /** {@code {content, policy?, types?}} → the content with what was found replaced by labels. */
    private JsonNode redact(Exchange exchange) {
        JsonNode body = Fields.object(exchange.body());
        String content = Fields.text(body, "content");
        Detector detector = engine.detector();
        if (body.hasNonNull("policy")) {
            detector = engine.detector(policy(engine, exchange.principal(), body));
        }
        if (body.hasNonNull("types")) {
            detector = detector.only(types(body.get("types")));
        }
        List<Finding> findings = detector.scan(content);
        ObjectNode answer = Body.MAPPER.createObjectNode();
        answer.put("redacted_content", Redactor.redact(content, findings));
        Set<String> ids = new LinkedHashSet<>();
        findings.forEach(f -> ids.add(f.type().id()));
        strings(answer.putArray("pii_detected"), List.copyOf(ids));
        ArrayNode list = answer.putArray("findings");
        findings.forEach(f -> finding(list.addObject(), f));
        return answer;
    }

    /** The body's {@code policy}, else the caller's own, else {@code enterprise_standard}. */
    static CompliancePolicy policy(ComplianceEngine engine, Principal principal, JsonNode body) {
        JsonNode named = body.get("policy");
        if (named == null || named.isNull()) {
            return engine.policies().effective(principal).policy()
                    .or(() -> engine.policies().named("enterprise_standard")).orElseThrow();
        }
        if (!named.isTextual()) {
            throw new InvalidRequest("'policy' must be a string", "invalid_type", "policy");
        }
        return engine.policies().named(named.textValue().strip()).orElseThrow(() -> new InvalidRequest(
                "no policy is named '" + Fields.id(body, "policy").orElse("") + "'", "unknown_policy", "policy"));
    }

    private static Set<EntityType> types(JsonNode node) {
        if (!node.isArray()) {
            throw new InvalidRequest("'types' must be an array of type names", "invalid_type", "types");
        }
        Set<EntityType> types = EnumSet.noneOf(EntityType.class);
        for (JsonNode type : node) {
            if (!type.isTextual()) {
                throw new InvalidRequest("'types' must be an array of type names", "invalid_type", "types");
            }
            types.add(EntityType.parse(type.textValue()).orElseThrow(() -> new InvalidRequest(
                    "unknown type in 'types'; known: " + known(), "unknown_type", "types")));
        }
        return types;
    }

    private static String known() {
        List<String> ids = new ArrayList<>();
        for (EntityType type : EntityType.values()) {
            ids.add(type.id());
        }
        return String.join(", ", ids);
    }

    static ObjectNode finding(ObjectNode node, Finding finding) {
        return node.put("type", finding.type().id()).put("start", finding.start()).put("end", finding.end())
                .put("score", round(finding.score()));
    }

    static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
