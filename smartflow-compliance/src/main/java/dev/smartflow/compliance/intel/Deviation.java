package dev.smartflow.compliance.intel;

import java.util.Objects;

/**
 * One way a scan departs from its user's baseline.
 *
 * @param type     {@code volume_spike}, {@code unusual_violation}, {@code new_violation_category},
 *                 {@code unusual_hour} or {@code above_org_baseline}
 * @param observed what this scan (or today) shows
 * @param expected what the baseline says
 * @param size     how far off, as a factor (observed over expected, or its inverse for what is rarer than usual)
 * @param severity how much it adds to the risk, 0 to 1
 * @param detail   one line for people
 */
public record Deviation(String type, double observed, double expected, double size, double severity,
                        String detail) {
    public Deviation {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(detail, "detail");
    }
}
