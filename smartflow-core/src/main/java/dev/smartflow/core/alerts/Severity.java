package dev.smartflow.core.alerts;

import java.util.Locale;
import java.util.Optional;

/** How urgent an {@link Alert} is; each channel shows it in its own way (colour, emoji). */
public enum Severity {
    INFO,
    WARNING,
    CRITICAL;

    /** {@code info}, {@code warning} or {@code critical}, in any case; empty for anything else. */
    public static Optional<Severity> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "info" -> Optional.of(INFO);
            case "warning" -> Optional.of(WARNING);
            case "critical" -> Optional.of(CRITICAL);
            default -> Optional.empty();
        };
    }

    /** The lower-case name, as {@link #parse} reads it. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
