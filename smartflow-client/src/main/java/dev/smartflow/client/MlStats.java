package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The ML layer's patterns: how many, how many learnt from feedback, their mean confidence, their categories. */
public record MlStats(long totalPatterns, long learnedPatterns, double averageConfidence, List<String> categories,
                      JsonNode json) {
    public MlStats {
        categories = List.copyOf(categories);
        Objects.requireNonNull(json, "json");
    }

    static MlStats from(JsonNode body) {
        JsonNode categories = body.path("categories");
        List<String> names = categories.isObject() ? iterable(categories) : Json.strings(body, "categories");
        return new MlStats(Json.number(body, "total_patterns"), Json.number(body, "learned_patterns"),
                Json.decimal(body, "average_confidence"), names, body);
    }

    private static List<String> iterable(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
