package dev.smartflow.core.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Puts a preset or a single policy in force for some callers: every caller ({@link Scope#GLOBAL}), one virtual key,
 * the keys of one owner, or the keys carrying a tag (the {@code team} and {@code role} tags have scopes of their own).
 *
 * @param id        the assignment's id; not blank
 * @param scope     which callers
 * @param target    the key id, owner id, team, role, or {@code name=value} of a tag; empty for {@link Scope#GLOBAL},
 *                  not blank otherwise
 * @param kind      whether {@code subjectId} names a preset or a policy
 * @param subjectId the preset's or policy's id; not blank
 * @param createdAt when it was made
 */
public record PolicyAssignment(String id, Scope scope, String target, Kind kind, String subjectId, Instant createdAt) {
    public PolicyAssignment {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subjectId, "subjectId");
        if (id.isBlank() || subjectId.isBlank()) {
            throw new IllegalArgumentException("an assignment's id and subjectId are not blank");
        }
        if ((scope == Scope.GLOBAL) != target.isEmpty() || (!target.isEmpty() && target.isBlank())) {
            throw new IllegalArgumentException("a global assignment has no target; any other has one");
        }
        if (scope == Scope.TAG && target.indexOf('=') <= 0) {
            throw new IllegalArgumentException("a tag assignment's target is name=value");
        }
        createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MICROS);
    }

    /** True when this assignment puts the same subject in force for the same callers as {@code other}. */
    public boolean sameAs(PolicyAssignment other) {
        return scope == other.scope && target.equals(other.target) && kind == other.kind
                && subjectId.equals(other.subjectId);
    }

    /** Which callers an assignment covers. */
    public enum Scope {
        /** Every caller. */
        GLOBAL,
        /** One virtual key, by id. */
        KEY,
        /** Every key of one owner ({@code owner_id}). */
        OWNER,
        /** Every key whose {@code team} tag has this value. */
        TEAM,
        /** Every key whose {@code role} tag has this value. */
        ROLE,
        /** Every key carrying the tag {@code name=value}. */
        TAG;

        /** The name in the API: {@code global}, {@code key}, ... */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The scope named {@code id} (any case); empty when there is none. */
        public static Optional<Scope> parse(String id) {
            for (Scope scope : values()) {
                if (scope.id().equalsIgnoreCase(id.strip())) {
                    return Optional.of(scope);
                }
            }
            return Optional.empty();
        }
    }

    /** What an assignment puts in force. */
    public enum Kind {
        PRESET, POLICY
    }
}
