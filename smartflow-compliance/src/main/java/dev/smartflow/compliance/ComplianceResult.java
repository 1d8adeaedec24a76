package dev.smartflow.compliance;

import dev.smartflow.compliance.detect.EntityType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a rule-based scan concluded, in the SDK guide's {@code ComplianceResult} terms: whether the policy acts on
 * anything ({@link #hasViolations()}), the compliance score (1: nothing found; each finding multiplies it by
 * {@code 1 - severity × confidence}), the types found, the risk level, advice, and the text with every finding
 * replaced by its label. Never holds a found value.
 *
 * @param policy            the policy's name
 * @param flagged           every finding with the policy's action, in text order
 * @param redactedContent   the text with each finding replaced by its label
 */
public record ComplianceResult(String policy, List<Flagged> flagged, String redactedContent) {
    private static final Map<EntityType, String> ADVICE = advice();

    public ComplianceResult {
        Objects.requireNonNull(policy, "policy");
        flagged = List.copyOf(flagged);
        Objects.requireNonNull(redactedContent, "redactedContent");
    }

    /** True when the policy acts (redacts, pseudonymises or blocks) on a finding. */
    public boolean hasViolations() {
        return flagged.stream().anyMatch(f -> f.action().acts());
    }

    public boolean blocked() {
        return flagged.stream().anyMatch(f -> f.action() == Action.BLOCK);
    }

    public double complianceScore() {
        return score(flagged);
    }

    /** 1 when nothing was found; a product of {@code 1 - severity × confidence} over the findings. */
    public static double score(List<Flagged> flagged) {
        double score = 1.0;
        for (Flagged f : flagged) {
            score *= 1 - f.finding().type().severity() * f.finding().score();
        }
        return score;
    }

    /** From the score; a blocked text is at least high. */
    public RiskLevel riskLevel() {
        RiskLevel level = RiskLevel.of(1 - complianceScore());
        return blocked() && level.compareTo(RiskLevel.HIGH) < 0 ? RiskLevel.HIGH : level;
    }

    /** Block, AllowAndLog (the policy redacts, pseudonymises or logs something) or Allow. */
    public RecommendedAction recommendedAction() {
        if (blocked()) {
            return RecommendedAction.BLOCK;
        }
        return flagged.isEmpty() ? RecommendedAction.ALLOW : RecommendedAction.ALLOW_AND_LOG;
    }

    /** The types found, by id ({@code ssn}, {@code email}), each once, in text order. */
    public List<String> piiDetected() {
        Set<String> ids = new LinkedHashSet<>();
        flagged.forEach(f -> ids.add(f.finding().type().id()));
        return List.copyOf(ids);
    }

    /** One line per type the policy acts on: {@code "ssn: redact (2 found)"}. */
    public List<String> violations() {
        Map<EntityType, int[]> counts = new EnumMap<>(EntityType.class);
        Map<EntityType, Action> actions = new EnumMap<>(EntityType.class);
        for (Flagged f : flagged) {
            if (f.action().acts()) {
                counts.computeIfAbsent(f.finding().type(), t -> new int[1])[0]++;
                actions.put(f.finding().type(), f.action());
            }
        }
        List<String> lines = new ArrayList<>();
        counts.forEach((type, count) -> lines.add(type.id() + ": " + actions.get(type).id() + " (" + count[0]
                + " found)"));
        return lines;
    }

    /** What to do about each type found. */
    public List<String> recommendations() {
        Set<String> advice = new LinkedHashSet<>();
        flagged.forEach(f -> Optional.ofNullable(ADVICE.get(f.finding().type())).ifPresent(advice::add));
        return List.copyOf(advice);
    }

    private static Map<EntityType, String> advice() {
        Map<EntityType, String> advice = new EnumMap<>(EntityType.class);
        advice.put(EntityType.SSN, "Do not send social security numbers; refer to the last four digits at most.");
        advice.put(EntityType.CREDIT_CARD, "Keep card numbers out of prompts; use a payment token or the last four "
                + "digits.");
        advice.put(EntityType.EMAIL, "Pseudonymise e-mail addresses unless the model must see them.");
        advice.put(EntityType.PHONE, "Pseudonymise phone numbers unless the model must see them.");
        advice.put(EntityType.IBAN, "Keep bank account numbers out of prompts.");
        advice.put(EntityType.IP_ADDRESS, "IP addresses are personal data under GDPR; pseudonymise them where "
                + "possible.");
        advice.put(EntityType.MRN, "Medical record numbers identify patients: pseudonymise them (HIPAA).");
        advice.put(EntityType.PASSPORT, "Do not send passport numbers to a model.");
        advice.put(EntityType.DATE_OF_BIRTH, "Dates of birth identify people: send an age range instead.");
        String secret = "Revoke and rotate this credential: it has been exposed in a prompt.";
        for (EntityType type : List.of(EntityType.API_KEY, EntityType.AWS_ACCESS_KEY, EntityType.GITHUB_TOKEN,
                EntityType.JWT, EntityType.PRIVATE_KEY)) {
            advice.put(type, secret);
        }
        return advice;
    }
}
