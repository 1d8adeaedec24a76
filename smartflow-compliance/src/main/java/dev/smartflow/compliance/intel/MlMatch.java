package dev.smartflow.compliance.intel;

import java.util.Objects;

/**
 * Layer 2's verdict on one category: the closest pattern's cosine similarity to the content and the confidence it
 * gives (similarity mapped onto 0..1 between the match threshold and a near-paraphrase), and whether that pattern was
 * shipped or learned from feedback.
 */
public record MlMatch(String category, double similarity, double confidence, boolean learned) {
    public MlMatch {
        Objects.requireNonNull(category, "category");
    }
}
