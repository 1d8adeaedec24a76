package dev.smartflow.compliance;

import java.util.Optional;

/** What the engine advises for a text, in the SDK guide's words. */
public enum RecommendedAction {
    ALLOW("Allow"), ALLOW_AND_LOG("AllowAndLog"), REVIEW("Review"), BLOCK("Block");

    private final String label;

    RecommendedAction(String label) {
        this.label = label;
    }

    /** {@code Allow}, {@code AllowAndLog}, {@code Review} or {@code Block}. */
    public String label() {
        return label;
    }

    public static Optional<RecommendedAction> parse(String label) {
        for (RecommendedAction action : values()) {
            if (action.label.equalsIgnoreCase(label.strip()) || action.name().equalsIgnoreCase(label.strip())) {
                return Optional.of(action);
            }
        }
        return Optional.empty();
    }
}
