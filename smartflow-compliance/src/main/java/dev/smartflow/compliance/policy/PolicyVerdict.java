package dev.smartflow.compliance.policy;

import dev.smartflow.core.spi.Policy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the caller's policies made of one call: which policies applied, which matched and why, the risk score, and the
 * action to take (the strongest among the matches' actions). Immutable.
 *
 * <pre>{@code
 * PolicyVerdict verdict = evaluator.evaluate(principal, text, "openai", "gpt-4o", Optional.of("10.1.2.3"));
 * if (verdict.blocked()) {
 *     throw GatewayError.of(403, "permission_error", "compliance_violation", verdict.message());
 * }
 * String cleaned = verdict.redact(text);
 * }</pre>
 */
public final class PolicyVerdict {
    /** No policy applied. */
    public static final PolicyVerdict NONE = new PolicyVerdict(List.of(), List.of(), List.of(), List.of());

    private final List<String> applied;
    private final List<Match> matches;
    private final List<PolicyDetector> redactDetectors;
    private final List<String> redactPieces;
    private final double riskScore;

    PolicyVerdict(List<String> applied, List<Match> matches, List<PolicyDetector> redactDetectors,
                  List<String> redactPieces) {
        this.applied = List.copyOf(applied);
        this.matches = List.copyOf(matches);
        this.redactDetectors = List.copyOf(redactDetectors);
        // longest first, so a piece inside another is not cut out of it first
        List<String> pieces = new ArrayList<>(redactPieces);
        pieces.sort(Comparator.comparingInt(String::length).reversed());
        this.redactPieces = List.copyOf(pieces);
        double allowed = 1;
        for (Match match : matches) {
            allowed *= 1 - weight(match.policy().severity()) * match.confidence();
        }
        this.riskScore = Math.clamp(1 - allowed, 0, 1);
    }

    /** The ids of the policies evaluated (applicable to this caller and call), in evaluation order. */
    public List<String> applied() {
        return applied;
    }

    /** The policies the call matched, in evaluation order. */
    public List<Match> matches() {
        return matches;
    }

    /**
     * 0 to 1: each match adds its severity's weight (low 0.25, medium 0.5, high 0.75, critical 1) times its
     * confidence, combined so that independent matches add up without passing 1: {@code 1 - Π(1 - w·c)}.
     */
    public double riskScore() {
        return riskScore;
    }

    /** {@code low} below 0.25, {@code medium} below 0.5, {@code high} below 0.75, else {@code critical}. */
    public String riskLevel() {
        return riskScore < 0.25 ? "low" : riskScore < 0.5 ? "medium" : riskScore < 0.75 ? "high" : "critical";
    }

    /** The strongest action among the matches; empty when nothing matched. */
    public Optional<Policy.Action> action() {
        return matches.stream().map(m -> m.policy().action()).max(Comparator.naturalOrder());
    }

    public boolean blocked() {
        return action().filter(a -> a == Policy.Action.BLOCK).isPresent();
    }

    /** The first blocking match, in evaluation order. */
    public Optional<Match> blockedBy() {
        return matches.stream().filter(m -> m.policy().action() == Policy.Action.BLOCK).findFirst();
    }

    /** The audit flags: {@code policy:<name>} for every match, and {@code policy.block} or {@code policy.redact}. */
    public List<String> flags() {
        List<String> flags = new ArrayList<>();
        matches.forEach(m -> flags.add("policy:" + m.policy().name()));
        action().filter(a -> a != Policy.Action.LOG).ifPresent(a -> flags.add("policy." + a.id()));
        return List.copyOf(flags);
    }

    /** Why the call is refused, for the caller: the policy's name and framework, never the text. */
    public String message() {
        return blockedBy().map(m -> "the request was blocked by policy '" + m.policy().name() + "'"
                + m.policy().regulatoryFramework().map(f -> " (" + f + ")").orElse("")).orElse("");
    }

    /**
     * {@code text} without what the redacting matches found in it: detector finds become {@code [REDACTED:<name>]},
     * the sentences that matched a policy's text become {@code [REDACTED]}.
     */
    public String redact(String text) {
        String result = text;
        for (String piece : redactPieces) {
            result = result.replace(piece, "[REDACTED]");
        }
        for (PolicyDetector detector : redactDetectors) {
            List<PolicyDetector.Span> spans = detector.find(result);
            if (spans.isEmpty()) {
                continue;
            }
            StringBuilder out = new StringBuilder(result.length());
            int at = 0;
            for (PolicyDetector.Span span : spans) {
                if (span.start() < at || span.end() > result.length()) {
                    continue;
                }
                out.append(result, at, span.start()).append("[REDACTED:").append(detector.name()).append(']');
                at = span.end();
            }
            result = out.append(result, at, result.length()).toString();
        }
        return result;
    }

    static double weight(Policy.Severity severity) {
        return switch (severity) {
            case LOW -> 0.25;
            case MEDIUM -> 0.5;
            case HIGH -> 0.75;
            case CRITICAL -> 1.0;
        };
    }

    /**
     * One policy the call matched.
     *
     * @param policy     the policy
     * @param how        what found the match
     * @param confidence 0 to 1: 1 for a detector, the similarity for an embedding match, the judge's own figure
     * @param similarity the best similarity between the call's text and the policy's (0 when not measured)
     * @param detectors  the detectors that found something
     */
    public record Match(Policy policy, How how, double confidence, double similarity, List<String> detectors) {
        public Match {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(how, "how");
            detectors = List.copyOf(detectors);
        }
    }

    /** What found a match. */
    public enum How {
        /** A named detector found what the policy forbids. */
        DETECTOR,
        /** The text is close enough in meaning to the policy's. */
        SIMILARITY,
        /** The LLM judge said the text breaks the policy. */
        JUDGE
    }
}
