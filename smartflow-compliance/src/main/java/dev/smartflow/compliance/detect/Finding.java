package dev.smartflow.compliance.detect;

import java.util.Objects;

/**
 * One value a recognizer found: its type, where it is ({@code start} inclusive, {@code end} exclusive, in UTF-16 units
 * of the scanned text) and how sure the recognizer is, 0 to 1. A finding never holds the value itself, so it may be
 * logged and returned by the APIs.
 */
public record Finding(EntityType type, int start, int end, double score) {
    public Finding {
        Objects.requireNonNull(type, "type");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("a finding spans at least one character: " + start + ".." + end);
        }
        if (!(score > 0 && score <= 1)) {
            throw new IllegalArgumentException("a finding's score is in (0, 1]: " + score);
        }
    }

    public int length() {
        return end - start;
    }
}
