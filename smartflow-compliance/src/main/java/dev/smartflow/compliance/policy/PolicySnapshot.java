package dev.smartflow.compliance.policy;

import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.spi.PolicyAssignment;
import dev.smartflow.core.spi.PolicyPreset;
import dev.smartflow.core.spi.VirtualKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The policy library as one immutable value: every preset and assignment, and the active policies compiled for the
 * request path. Calls read it without locks; a change to the library replaces it whole.
 *
 * <p><b>Whose policies.</b> A caller's effective policies are those assigned to it (globally, to its key, its owner,
 * its {@code team} or {@code role} tag, or another tag), directly or through a preset, plus every active policy that
 * no assignment names at all: the API reference evaluates every active policy on every call, and an assignment is how
 * an operator narrows a policy to some callers. Inactive policies never apply.
 *
 * <p><b>In which order.</b> Higher {@code priority} first; policies of equal priority in the order of the preset that
 * brought them (its {@code policy_ids}), then by id.
 */
final class PolicySnapshot {
    static final PolicySnapshot EMPTY = new PolicySnapshot(-1, List.of(), List.of(), Map.of());

    private final long version;
    private final Map<String, PolicyPreset> presets;
    private final List<PolicyAssignment> assignments;
    private final Map<String, CompiledPolicy> active;
    /** Policies some assignment names, directly or through a preset: they apply only where assigned. */
    private final Set<String> assigned;

    PolicySnapshot(long version, List<PolicyPreset> presets, List<PolicyAssignment> assignments,
                   Map<String, CompiledPolicy> active) {
        this.version = version;
        this.presets = index(presets, PolicyPreset::id);
        this.assignments = List.copyOf(assignments);
        this.active = Map.copyOf(active);
        Set<String> named = new HashSet<>();
        for (PolicyAssignment assignment : assignments) {
            if (assignment.kind() == PolicyAssignment.Kind.POLICY) {
                named.add(assignment.subjectId());
            } else {
                Optional.ofNullable(this.presets.get(assignment.subjectId()))
                        .ifPresent(preset -> named.addAll(preset.policyIds()));
            }
        }
        this.assigned = Set.copyOf(named);
    }

    private static <T> Map<String, T> index(List<T> values, Function<T, String> id) {
        Map<String, T> byId = new LinkedHashMap<>();
        values.forEach(value -> byId.put(id.apply(value), value));
        return Collections.unmodifiableMap(byId);
    }

    long version() {
        return version;
    }

    /** True when no policy is active: calls need no evaluation at all. */
    boolean idle() {
        return active.isEmpty();
    }

    /** The caller's active policies in evaluation order, each with the assignments that brought it. */
    List<Effective> effective(Principal principal) {
        Map<String, Builder> found = new LinkedHashMap<>();
        for (PolicyAssignment assignment : assignments) {
            if (!covers(assignment, principal)) {
                continue;
            }
            if (assignment.kind() == PolicyAssignment.Kind.POLICY) {
                add(found, assignment.subjectId(), Integer.MAX_VALUE, Optional.of(assignment));
            } else {
                PolicyPreset preset = presets.get(assignment.subjectId());
                if (preset != null) {
                    for (int i = 0; i < preset.policyIds().size(); i++) {
                        add(found, preset.policyIds().get(i), i, Optional.of(assignment));
                    }
                }
            }
        }
        for (String id : active.keySet()) {
            if (!assigned.contains(id)) {
                add(found, id, Integer.MAX_VALUE, Optional.empty());
            }
        }
        List<Effective> effective = new ArrayList<>(found.size());
        for (Builder builder : found.values()) {
            effective.add(new Effective(builder.policy, builder.position, List.copyOf(builder.via)));
        }
        effective.sort(ORDER);
        return List.copyOf(effective);
    }

    private static final Comparator<Effective> ORDER = Comparator
            .comparingInt((Effective e) -> -e.policy().policy().priority())
            .thenComparingInt(Effective::presetPosition)
            .thenComparing(e -> e.policy().policy().id());

    private void add(Map<String, Builder> found, String policyId, int position, Optional<PolicyAssignment> via) {
        CompiledPolicy policy = active.get(policyId);
        if (policy == null) {
            return;
        }
        Builder builder = found.computeIfAbsent(policyId, id -> new Builder(policy));
        builder.position = Math.min(builder.position, position);
        via.ifPresent(builder.via::add);
    }

    /** Whether {@code assignment} covers {@code principal}: global ones everyone, the others a virtual key's holder. */
    static boolean covers(PolicyAssignment assignment, Principal principal) {
        if (assignment.scope() == PolicyAssignment.Scope.GLOBAL) {
            return true;
        }
        Optional<VirtualKey> key = principal.key();
        if (key.isEmpty()) {
            return false;
        }
        Map<String, String> tags = key.get().tags();
        String target = assignment.target();
        return switch (assignment.scope()) {
            case GLOBAL -> true;
            case KEY -> key.get().id().value().equals(target);
            case OWNER -> key.get().ownerId().equals(target);
            case TEAM -> target.equals(tags.get("team"));
            case ROLE -> target.equals(tags.get("role"));
            case TAG -> {
                int eq = target.indexOf('=');
                yield target.substring(eq + 1).equals(tags.get(target.substring(0, eq)));
            }
        };
    }

    /**
     * One of a caller's policies.
     *
     * @param presetPosition its place in the first preset that brought it ({@code Integer.MAX_VALUE} for none)
     * @param via            the assignments that brought it; empty for a policy no assignment names
     */
    record Effective(CompiledPolicy policy, int presetPosition, List<PolicyAssignment> via) {
    }

    private static final class Builder {
        final CompiledPolicy policy;
        final List<PolicyAssignment> via = new ArrayList<>();
        int position = Integer.MAX_VALUE;

        Builder(CompiledPolicy policy) {
            this.policy = policy;
        }
    }
}
