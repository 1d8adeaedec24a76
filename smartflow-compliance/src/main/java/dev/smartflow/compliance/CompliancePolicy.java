package dev.smartflow.compliance;

import dev.smartflow.compliance.detect.EntityType;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A named compliance policy: which types it looks for and what it does with each ({@link Action}), and whether it
 * scans answers too. Types it does not name are not looked for at all.
 *
 * <pre>{@code
 * CompliancePolicy strict = CompliancePolicy.of("pci_dss_strict", "Cards never leave the gateway",
 *         Map.of(EntityType.CREDIT_CARD, Action.BLOCK, EntityType.EMAIL, Action.LOG), true);
 * }</pre>
 *
 * @param name        lower-case letters, digits, {@code _} and {@code -}; how keys and APIs name it
 * @param description one line for people
 * @param actions     what to do per type; the types looked for
 * @param scanAnswers whether answers are scanned too (findings of acting types redacted, the others logged)
 */
public record CompliancePolicy(String name, String description, Map<EntityType, Action> actions,
                               boolean scanAnswers) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    public CompliancePolicy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a policy name is 1-64 lower-case letters, digits, '_' and '-': "
                    + name);
        }
        EnumMap<EntityType, Action> copy = new EnumMap<>(EntityType.class);
        copy.putAll(Objects.requireNonNull(actions, "actions"));
        actions = Collections.unmodifiableMap(copy);
    }

    public static CompliancePolicy of(String name, String description, Map<EntityType, Action> actions,
                                      boolean scanAnswers) {
        return new CompliancePolicy(name, description, actions, scanAnswers);
    }

    /** What this policy does with {@code type}; empty when it does not look for it. */
    public Optional<Action> action(EntityType type) {
        return Optional.ofNullable(actions.get(type));
    }
}
