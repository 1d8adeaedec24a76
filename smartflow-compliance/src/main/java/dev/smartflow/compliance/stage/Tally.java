package dev.smartflow.compliance.stage;

import dev.smartflow.compliance.Action;
import dev.smartflow.compliance.CompliancePolicy;
import dev.smartflow.compliance.ComplianceResult;
import dev.smartflow.compliance.Flagged;
import dev.smartflow.compliance.detect.EntityType;
import dev.smartflow.core.audit.Facts;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What one call's scans found, request and answer, for the audit record: the request's score and flags such as
 * {@code policy.hipaa}, {@code pii.email}, {@code credential.api_key}, {@code action.pseudonymise},
 * {@code answer.pii.phone}. Types and actions only, never values. Written by the request thread, then by the thread
 * reading the answer; never by both at once.
 */
final class Tally {
    private final List<Flagged> request = new ArrayList<>();
    private final Set<String> flags = new LinkedHashSet<>();

    Tally(CompliancePolicy policy, boolean unknownTag) {
        flags.add("policy." + policy.name());
        if (unknownTag) {
            flags.add("policy.unknown_tag");
        }
    }

    void request(List<Flagged> flagged) {
        request.addAll(flagged);
        for (Flagged f : flagged) {
            flags.add(flag(f.finding().type()));
        }
        for (Flagged f : flagged) {
            flags.add("action." + f.action().id());
        }
    }

    void answer(Flagged f) {
        flags.add("answer." + flag(f.finding().type()));
        if (f.action().acts()) {
            flags.add("answer.action.redact");
        }
    }

    /** The types the request's findings block on, each once. */
    Set<EntityType> blocking() {
        Set<EntityType> types = EnumSet.noneOf(EntityType.class);
        request.stream().filter(f -> f.action() == Action.BLOCK).forEach(f -> types.add(f.finding().type()));
        return types;
    }

    double score() {
        return ComplianceResult.score(request);
    }

    Facts.Compliance facts() {
        return new Facts.Compliance(score(), List.copyOf(flags));
    }

    /** The score as the {@code x-smartflow-compliance-score} header writes it. */
    String header() {
        return String.format(Locale.ROOT, "%.4f", score());
    }

    private static String flag(EntityType type) {
        return type.category().id() + "." + type.id();
    }
}
