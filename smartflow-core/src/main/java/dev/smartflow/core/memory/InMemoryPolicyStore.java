package dev.smartflow.core.memory;

import dev.smartflow.core.spi.Policy;
import dev.smartflow.core.spi.PolicyAssignment;
import dev.smartflow.core.spi.PolicyPreset;
import dev.smartflow.core.spi.PolicyStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link PolicyStore} of an {@link InMemoryDatabase}. One lock guards everything, so the cascading deletes are
 * atomic like the SQL store's transactions.
 */
final class InMemoryPolicyStore implements PolicyStore {
    private static final Comparator<PolicyAssignment> CREATION_ORDER =
            Comparator.comparing(PolicyAssignment::createdAt).thenComparing(PolicyAssignment::id);

    private final Guard guard;
    private final TreeMap<String, Policy> policies = new TreeMap<>();
    private final TreeMap<String, PolicyPreset> presets = new TreeMap<>();
    private final Map<String, PolicyAssignment> assignments = new HashMap<>();
    private final TreeMap<String, Long> counts = new TreeMap<>();

    InMemoryPolicyStore(AtomicBoolean closed) {
        this.guard = new Guard(closed);
    }

    @Override
    public boolean createPolicy(Policy policy) {
        Objects.requireNonNull(policy, "policy");
        return guard.locked(() -> policies.putIfAbsent(policy.id(), policy) == null);
    }

    @Override
    public boolean updatePolicy(Policy policy) {
        Objects.requireNonNull(policy, "policy");
        return guard.locked(() -> policies.replace(policy.id(), policy) != null);
    }

    @Override
    public Optional<Policy> policy(String id) {
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> Optional.ofNullable(policies.get(id)));
    }

    @Override
    public List<Policy> policies() {
        return guard.locked(() -> List.copyOf(policies.values()));
    }

    @Override
    public boolean deletePolicy(String id) {
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> {
            if (policies.remove(id) == null) {
                return false;
            }
            presets.replaceAll((presetId, preset) -> preset.policyIds().contains(id) ? preset.without(id) : preset);
            assignments.values().removeIf(a -> a.kind() == PolicyAssignment.Kind.POLICY && a.subjectId().equals(id));
            return true;
        });
    }

    @Override
    public boolean createPreset(PolicyPreset preset) {
        Objects.requireNonNull(preset, "preset");
        return guard.locked(() -> presets.putIfAbsent(preset.id(), preset) == null);
    }

    @Override
    public boolean updatePreset(PolicyPreset preset) {
        Objects.requireNonNull(preset, "preset");
        return guard.locked(() -> presets.replace(preset.id(), preset) != null);
    }

    @Override
    public Optional<PolicyPreset> preset(String id) {
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> Optional.ofNullable(presets.get(id)));
    }

    @Override
    public List<PolicyPreset> presets() {
        return guard.locked(() -> List.copyOf(presets.values()));
    }

    @Override
    public boolean deletePreset(String id) {
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> {
            if (presets.remove(id) == null) {
                return false;
            }
            assignments.values().removeIf(a -> a.kind() == PolicyAssignment.Kind.PRESET && a.subjectId().equals(id));
            return true;
        });
    }

    @Override
    public boolean addAssignment(PolicyAssignment assignment) {
        Objects.requireNonNull(assignment, "assignment");
        return guard.locked(() -> {
            if (assignments.containsKey(assignment.id())
                    || assignments.values().stream().anyMatch(assignment::sameAs)) {
                return false;
            }
            assignments.put(assignment.id(), assignment);
            return true;
        });
    }

    @Override
    public List<PolicyAssignment> assignments() {
        return guard.locked(() -> {
            List<PolicyAssignment> all = new ArrayList<>(assignments.values());
            all.sort(CREATION_ORDER);
            return List.copyOf(all);
        });
    }

    @Override
    public boolean deleteAssignment(String id) {
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> assignments.remove(id) != null);
    }

    @Override
    public void addCounts(Map<String, Long> deltas) {
        deltas.forEach((name, delta) -> {
            Objects.requireNonNull(name, "name");
            if (delta < 0) {
                throw new IllegalArgumentException("a count only grows: " + name + " by " + delta);
            }
        });
        guard.locked(() -> {
            deltas.forEach((name, delta) -> counts.merge(name, delta, Math::addExact));
            return null;
        });
    }

    @Override
    public Map<String, Long> counts() {
        return guard.locked(() -> Map.copyOf(counts));
    }
}
