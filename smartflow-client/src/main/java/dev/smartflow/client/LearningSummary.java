package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** The organisation-wide learning progress of the behavioural layer. */
public record LearningSummary(long totalUsers, long usersLearningComplete, long configLearningDays, JsonNode json) {
    public LearningSummary {
        Objects.requireNonNull(json, "json");
    }

    static LearningSummary from(JsonNode body) {
        return new LearningSummary(Json.number(body, "total_users"), Json.number(body, "users_learning_complete"),
                Json.number(body, "config_learning_days"), body);
    }
}
