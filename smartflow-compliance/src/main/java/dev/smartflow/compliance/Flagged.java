package dev.smartflow.compliance;

import dev.smartflow.compliance.detect.Finding;
import java.util.Objects;

/** A finding and what the policy does with it. */
public record Flagged(Finding finding, Action action) {
    public Flagged {
        Objects.requireNonNull(finding, "finding");
        Objects.requireNonNull(action, "action");
    }
}
