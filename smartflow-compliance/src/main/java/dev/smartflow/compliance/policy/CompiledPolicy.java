package dev.smartflow.compliance.policy;

import dev.smartflow.core.spi.Policy;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * An active policy made ready for the request path: the vectors of its text (the whole and each rule), the detectors
 * it asks for, and its targeting parsed (address ranges, lower-cased names), so that a call only compares.
 */
record CompiledPolicy(Policy policy, List<float[]> vectors, List<PolicyDetector> detectors, List<IpRange> ranges) {
    CompiledPolicy {
        vectors = List.copyOf(vectors);
        detectors = List.copyOf(detectors);
        ranges = List.copyOf(ranges);
    }

    /** Whether the policy applies to a call that may go to any of {@code providers} as any of {@code models}. */
    boolean appliesTo(Set<String> providers, Set<String> models) {
        return matchesAny(policy.applicableProviders(), providers) && matchesAny(policy.applicableModels(), models);
    }

    /**
     * Whether the policy's metadata admits the caller: each non-empty list must name one of the caller's values (the
     * key's {@code department}, {@code ad_groups} and {@code application} tags; its address for source IPs).
     */
    boolean admits(CallerFacts caller) {
        return admits(caller, true);
    }

    /** {@link #admits(CallerFacts)}, leaving source IPs out of it unless {@code byAddress}. */
    boolean admits(CallerFacts caller, boolean byAddress) {
        Policy.Targeting targeting = policy.targeting();
        if (byAddress && !ranges.isEmpty() && caller.address()
                .map(a -> ranges.stream().noneMatch(r -> r.contains(a))).orElse(true)) {
            return false;
        }
        return overlaps(targeting.adGroups(), caller.adGroups())
                && overlaps(targeting.departments(), caller.departments())
                && overlaps(targeting.applications(), caller.applications());
    }

    private static boolean overlaps(List<String> wanted, Set<String> held) {
        return wanted.isEmpty() || wanted.stream().anyMatch(w -> held.contains(w.toLowerCase(Locale.ROOT)));
    }

    /**
     * Whether a provider or model list admits one of the call's values: {@code all}, the value itself (any case), or
     * a pattern ending in {@code *} that the value starts with.
     */
    private static boolean matchesAny(List<String> patterns, Set<String> values) {
        for (String pattern : patterns) {
            String lower = pattern.toLowerCase(Locale.ROOT);
            if (lower.equals(Policy.ALL)) {
                return true;
            }
            for (String value : values) {
                if (lower.endsWith("*") ? value.startsWith(lower.substring(0, lower.length() - 1))
                        : value.equals(lower)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** What metadata targeting reads of a caller, lower-cased. */
    record CallerFacts(Optional<byte[]> address, Set<String> adGroups, Set<String> departments,
                       Set<String> applications) {
        CallerFacts {
            adGroups = Set.copyOf(adGroups);
            departments = Set.copyOf(departments);
            applications = Set.copyOf(applications);
        }
    }
}
