package dev.smartflow.core.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * A named, ordered set of policies, assigned to callers as one ({@link PolicyAssignment}). The order of
 * {@link #policyIds} ranks policies of equal priority.
 *
 * @param id          the preset's id; not blank
 * @param name        a display name; not blank
 * @param description what the preset is for; may be empty
 * @param useCase     where it is meant to be used; may be empty
 * @param policyIds   its policies, in order, each once
 * @param createdAt   when it was created
 * @param updatedAt   when it last changed
 */
public record PolicyPreset(String id, String name, String description, String useCase, List<String> policyIds,
                           Instant createdAt, Instant updatedAt) {
    public PolicyPreset {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        if (id.isBlank() || name.isBlank()) {
            throw new IllegalArgumentException("a preset's id and name are not blank");
        }
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(useCase, "useCase");
        policyIds = List.copyOf(policyIds);
        if (new HashSet<>(policyIds).size() != policyIds.size()) {
            throw new IllegalArgumentException("policyIds names a policy twice");
        }
        createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MICROS);
        updatedAt = Objects.requireNonNull(updatedAt, "updatedAt").truncatedTo(ChronoUnit.MICROS);
    }

    /** This preset without {@code policyId} (a deleted policy leaves every preset). */
    public PolicyPreset without(String policyId) {
        return new PolicyPreset(id, name, description, useCase,
                policyIds.stream().filter(p -> !p.equals(policyId)).toList(), createdAt, updatedAt);
    }
}
