package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The layered (rules, ML, behaviour) compliance scan (the SDK guide's {@code IntelligentScanResult}).
 *
 * @param scanId             the scan's id, for {@code submitComplianceFeedback}
 * @param hasViolations      whether anything was found
 * @param riskScore          0..1
 * @param riskLevel          {@code low} .. {@code critical}
 * @param recommendedAction  {@code Allow}, {@code AllowAndLog}, {@code Review} or {@code Block}
 * @param explanation        why, in words
 * @param regexViolations    the rule layer's findings, as sent
 * @param mlViolations       the ML layer's matches, as sent
 * @param behaviorDeviations the behavioural layer's deviations, as sent
 * @param processingTimeUs   how long the scan took, in microseconds
 * @param json               the whole answer
 */
public record IntelligentScanResult(Optional<String> scanId, boolean hasViolations, double riskScore,
                                    String riskLevel, String recommendedAction, String explanation,
                                    List<JsonNode> regexViolations, List<JsonNode> mlViolations,
                                    List<JsonNode> behaviorDeviations, long processingTimeUs, JsonNode json) {
    public IntelligentScanResult {
        Objects.requireNonNull(scanId, "scanId");
        Objects.requireNonNull(riskLevel, "riskLevel");
        Objects.requireNonNull(recommendedAction, "recommendedAction");
        Objects.requireNonNull(explanation, "explanation");
        regexViolations = List.copyOf(regexViolations);
        mlViolations = List.copyOf(mlViolations);
        behaviorDeviations = List.copyOf(behaviorDeviations);
        Objects.requireNonNull(json, "json");
    }

    static IntelligentScanResult from(JsonNode body) {
        return new IntelligentScanResult(Json.optionalText(body, "scan_id"), Json.bool(body, "has_violations"),
                Json.decimal(body, "risk_score"), Json.text(body, "risk_level", "low"),
                Json.text(body, "recommended_action", "Allow"), Json.text(body, "explanation"),
                Json.nodes(body, "regex_violations"), Json.nodes(body, "ml_violations"),
                Json.nodes(body, "behavior_deviations"), Json.number(body, "processing_time_us"), body);
    }
}
