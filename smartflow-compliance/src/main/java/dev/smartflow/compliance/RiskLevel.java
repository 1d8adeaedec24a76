package dev.smartflow.compliance;

import java.util.Locale;
import java.util.Optional;

/** How risky a text is, from its risk score (1 minus its compliance score, or the correlated risk). */
public enum RiskLevel {
    LOW, MEDIUM, HIGH, CRITICAL;

    /** critical from 0.95, high from 0.7, medium from 0.4, else low. */
    public static RiskLevel of(double risk) {
        if (risk >= 0.95) {
            return CRITICAL;
        }
        if (risk >= 0.7) {
            return HIGH;
        }
        if (risk >= 0.4) {
            return MEDIUM;
        }
        return LOW;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<RiskLevel> parse(String id) {
        for (RiskLevel level : values()) {
            if (level.id().equalsIgnoreCase(id.strip())) {
                return Optional.of(level);
            }
        }
        return Optional.empty();
    }
}
