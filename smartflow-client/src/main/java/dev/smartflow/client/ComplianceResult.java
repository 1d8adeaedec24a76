package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A rule-based compliance scan (the SDK guide's {@code ComplianceResult}).
 *
 * @param hasViolations     whether anything violated the policy
 * @param complianceScore   0..1, 1 fully compliant
 * @param violations        what was violated (types)
 * @param piiDetected       the kinds of personal data found
 * @param riskLevel         {@code low}, {@code medium}, {@code high} or {@code critical}
 * @param recommendedAction {@code Allow}, {@code AllowAndLog}, {@code Review} or {@code Block}, when the scan said
 * @param recommendations   advice
 * @param redactedContent   the content with findings replaced, when the scan made it
 * @param json              the whole answer
 */
public record ComplianceResult(boolean hasViolations, double complianceScore, List<String> violations,
                               List<String> piiDetected, String riskLevel, Optional<String> recommendedAction,
                               List<String> recommendations, Optional<String> redactedContent, JsonNode json) {
    public ComplianceResult {
        violations = List.copyOf(violations);
        piiDetected = List.copyOf(piiDetected);
        Objects.requireNonNull(riskLevel, "riskLevel");
        Objects.requireNonNull(recommendedAction, "recommendedAction");
        recommendations = List.copyOf(recommendations);
        Objects.requireNonNull(redactedContent, "redactedContent");
        Objects.requireNonNull(json, "json");
    }

    /**
     * Whether the content should be blocked: the scan recommends {@code Block}, or (when it recommends nothing) it
     * found violations at a {@code high} or {@code critical} risk level.
     */
    public boolean blocked() {
        if (recommendedAction.isPresent()) {
            return recommendedAction.get().equalsIgnoreCase("block");
        }
        String level = riskLevel.toLowerCase(Locale.ROOT);
        return hasViolations && (level.equals("high") || level.equals("critical"));
    }

    /** The distinct types of what was found: violations, then personal data. */
    public List<String> findingTypes() {
        List<String> all = new ArrayList<>(violations);
        all.addAll(piiDetected);
        return all.stream().distinct().toList();
    }

    static ComplianceResult from(JsonNode body) {
        return new ComplianceResult(Json.bool(body, "has_violations"),
                body.path("compliance_score").isNumber() ? Json.decimal(body, "compliance_score") : 1.0,
                Json.strings(body, "violations"), Json.strings(body, "pii_detected"),
                Json.text(body, "risk_level", "low"), Json.optionalText(body, "recommended_action"),
                Json.strings(body, "recommendations"), Json.optionalText(body, "redacted_content"), body);
    }
}
