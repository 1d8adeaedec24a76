package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;

/** Token counts of one answer, as the provider reported them; zeros when it reported none. */
public record Usage(long promptTokens, long completionTokens, long totalTokens) {
    public static final Usage NONE = new Usage(0, 0, 0);

    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || totalTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
    }

    /** Reads an OpenAI {@code usage} object. */
    public static Usage from(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return NONE;
        }
        long prompt = Math.max(0, usage.path("prompt_tokens").asLong(0));
        long completion = Math.max(0, usage.path("completion_tokens").asLong(0));
        long total = Math.max(0, usage.path("total_tokens").asLong(prompt + completion));
        return new Usage(prompt, completion, total);
    }
}
