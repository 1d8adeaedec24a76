package dev.smartflow.compliance.intel;

import dev.smartflow.compliance.Flagged;
import dev.smartflow.compliance.RecommendedAction;
import dev.smartflow.compliance.RiskLevel;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The SDK guide's {@code IntelligentScanResult}: what each layer found and what the correlation made of it.
 *
 * @param scanId           identifies the scan for feedback
 * @param policy           the policy layer 1 ran under
 * @param regex            layer 1's findings, with the policy's action (none suppressed by feedback)
 * @param suppressed       layer 1 findings left out because feedback marked the same value a false positive
 * @param ml               layer 2's matching categories, best first; empty when the model was not ready
 * @param mlAvailable      whether layer 2 ran
 * @param deviations       layer 3's deviations from the user's baseline
 * @param learning         the user's baseline (its learning status) as it stood before this scan; empty without a
 *                         user
 * @param riskScore        the correlated risk, 0 to 1
 * @param riskLevel        from the risk score
 * @param action           what the engine recommends
 * @param explanation      one paragraph for people
 * @param processingMicros how long the scan took
 */
public record IntelligentResult(String scanId, String policy, List<Flagged> regex, int suppressed, List<MlMatch> ml,
                                boolean mlAvailable, List<Deviation> deviations,
                                Optional<Baselines.Baseline> learning, double riskScore, RiskLevel riskLevel,
                                RecommendedAction action, String explanation, long processingMicros) {
    public IntelligentResult {
        Objects.requireNonNull(scanId, "scanId");
        regex = List.copyOf(regex);
        ml = List.copyOf(ml);
        deviations = List.copyOf(deviations);
    }

    public boolean hasViolations() {
        return !regex.isEmpty() || !ml.isEmpty();
    }
}
