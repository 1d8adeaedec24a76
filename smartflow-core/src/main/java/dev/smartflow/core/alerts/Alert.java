package dev.smartflow.core.alerts;

import java.util.List;
import java.util.Objects;

/**
 * One alert, as every channel receives it: a title, a message, and a few named facts (key, provider, figures).
 *
 * <pre>{@code
 * alerts.send(Alert.custom("Deploy finished", "gateway 1.4 is live", Severity.INFO));
 * }</pre>
 *
 * @param type      what raised it
 * @param severity  how urgent it is
 * @param title     one line; not blank
 * @param message   the body; not blank
 * @param facts     named values shown beside the message, in order
 * @param dedupeKey alerts with the same key are sent once per dedupe window; not blank
 */
public record Alert(AlertType type, Severity severity, String title, String message, List<Fact> facts,
                    String dedupeKey) {
    public Alert {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(severity, "severity");
        requireText(title, "title");
        requireText(message, "message");
        facts = List.copyOf(Objects.requireNonNull(facts, "facts"));
        requireText(dedupeKey, "dedupeKey");
    }

    /** An operator's alert; the same title, message and severity again within the dedupe window is suppressed. */
    public static Alert custom(String title, String message, Severity severity) {
        requireText(title, "title");
        requireText(message, "message");
        Objects.requireNonNull(severity, "severity");
        return new Alert(AlertType.CUSTOM, severity, title, message, List.of(),
                "custom:" + severity.id() + ":" + title + "\n" + message);
    }

    /** A named value, e.g. {@code provider: openai}. */
    public record Fact(String name, String value) {
        public Fact {
            requireText(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    private static void requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
