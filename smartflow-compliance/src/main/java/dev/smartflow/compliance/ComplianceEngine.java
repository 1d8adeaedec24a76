package dev.smartflow.compliance;

import dev.smartflow.compliance.detect.Detector;
import dev.smartflow.compliance.detect.EntityType;
import dev.smartflow.compliance.detect.Finding;
import dev.smartflow.compliance.redact.PseudonymKeys;
import dev.smartflow.compliance.redact.Redactor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The rule-based engine: a {@link Detector} per policy (limited to the types the policy names), the policies, and the
 * pseudonym keys. The stages and the Compliance API share one.
 *
 * <pre>{@code
 * ComplianceEngine engine = ComplianceEngine.builder().build();
 * ComplianceResult result = engine.check("My SSN is 123-45-6789", engine.policies().named("hipaa").orElseThrow());
 * result.hasViolations();     // true
 * result.redactedContent();   // "My SSN is [SSN]"
 * engine.redact("Call me at 555-867-5309, email john@example.com");  // "Call me at [PHONE], email [EMAIL]"
 * }</pre>
 *
 * <p>Thread-safe; share one.
 */
public final class ComplianceEngine {
    private final Detector detector;
    private final Policies policies;
    private final PseudonymKeys keys;
    /**
     * The detector of each set of types, indexed by the set as a bit mask of ordinals: a policy's detector is found
     * without hashing the policy (a record of maps, which cost about 1% of a call's CPU in a profile).
     */
    private final AtomicReferenceArray<Detector> detectors =
            new AtomicReferenceArray<>(1 << EntityType.values().length);

    private ComplianceEngine(Detector detector, Policies policies, PseudonymKeys keys) {
        this.detector = detector;
        this.policies = policies;
        this.keys = keys;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every recognizer, as {@link #redact} uses them. */
    public Detector detector() {
        return detector;
    }

    public Policies policies() {
        return policies;
    }

    public PseudonymKeys keys() {
        return keys;
    }

    /** The detector for {@code policy}'s types. */
    public Detector detector(CompliancePolicy policy) {
        int mask = 0;
        for (EntityType type : policy.actions().keySet()) {
            mask |= 1 << type.ordinal();
        }
        Detector found = detectors.get(mask);
        if (found == null) {
            found = detector.only(policy.actions().keySet());
            detectors.set(mask, found);
        }
        return found;
    }

    /** The findings of {@code text} under {@code policy}, each with the policy's action. */
    public List<Flagged> flag(String text, CompliancePolicy policy) {
        List<Finding> findings = detector(policy).scan(text);
        List<Flagged> flagged = new ArrayList<>(findings.size());
        for (Finding finding : findings) {
            flagged.add(new Flagged(finding, policy.action(finding.type()).orElseThrow()));
        }
        return flagged;
    }

    /** A rule-based scan of {@code text} under {@code policy}. */
    public ComplianceResult check(String text, CompliancePolicy policy) {
        List<Flagged> flagged = flag(text, policy);
        String redacted = Redactor.redact(text, flagged.stream().map(Flagged::finding).toList());
        return new ComplianceResult(policy.name(), flagged, redacted);
    }

    /** {@code text} with everything any recognizer finds replaced by its label. */
    public String redact(String text) {
        return Redactor.redact(text, detector.scan(text));
    }

    /** Builds a {@link ComplianceEngine}; not thread-safe. */
    public static final class Builder {
        private Detector detector = Detector.standard();
        private PolicySource source = PolicySource.NONE;
        private String defaultPolicy = BuiltInPolicies.ENTERPRISE_STANDARD;
        private PseudonymKeys keys;

        public Builder detector(Detector value) {
            this.detector = Objects.requireNonNull(value, "detector");
            return this;
        }

        /** Policies beyond the built-in ones (the policy library). */
        public Builder policySource(PolicySource value) {
            this.source = Objects.requireNonNull(value, "policySource");
            return this;
        }

        /** The policy of callers without one ({@code enterprise_standard} unless set), or {@code none}. */
        public Builder defaultPolicy(String value) {
            this.defaultPolicy = Objects.requireNonNull(value, "defaultPolicy");
            return this;
        }

        /** The pseudonym keys; a random master secret (good for one process only) unless set. */
        public Builder keys(PseudonymKeys value) {
            this.keys = Objects.requireNonNull(value, "keys");
            return this;
        }

        /** @throws IllegalArgumentException when the default policy is unknown */
        public ComplianceEngine build() {
            return new ComplianceEngine(detector, new Policies(source, defaultPolicy),
                    keys == null ? PseudonymKeys.random() : keys);
        }
    }
}
