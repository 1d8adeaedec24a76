package dev.smartflow.compliance;

import java.util.Locale;
import java.util.Optional;

/** What a policy does with a finding of a type. */
public enum Action {
    /** Noted in the audit record and the score; the text goes on unchanged. */
    LOG,
    /** Replaced by its label ({@code [SSN]}) before the provider sees it; the answer keeps the label. */
    REDACT,
    /** Replaced by a stable per-tenant placeholder; the value is put back into the answer. */
    PSEUDONYMISE,
    /** The call is refused with a 403 {@code compliance_violation} naming the types found. */
    BLOCK;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The action named {@code id} ({@code redact}, {@code PSEUDONYMIZE}, ...). */
    public static Optional<Action> parse(String id) {
        String wanted = id.strip().toUpperCase(Locale.ROOT).replace("PSEUDONYMIZE", "PSEUDONYMISE");
        for (Action action : values()) {
            if (action.name().equals(wanted)) {
                return Optional.of(action);
            }
        }
        return Optional.empty();
    }

    /** Whether text must change (or the call stop) for a finding under this action. */
    public boolean acts() {
        return this != LOG;
    }
}
