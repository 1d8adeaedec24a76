package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** How far the behavioural layer has learnt one user's baseline. */
public record LearningStatus(String userId, double progressPercent, boolean learningComplete, JsonNode json) {
    public LearningStatus {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(json, "json");
    }

    static LearningStatus from(JsonNode body, String userId) {
        return new LearningStatus(Json.text(body, "user_id", userId), Json.decimal(body, "progress_percent"),
                Json.bool(body, "learning_complete"), body);
    }
}
