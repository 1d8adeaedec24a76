package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;

/** Token usage of a call, as the provider reported it (OpenAI's {@code usage}, or Anthropic's in/out tokens). */
public record Usage(long promptTokens, long completionTokens, long totalTokens) {
    public static final Usage NONE = new Usage(0, 0, 0);

    static Usage from(JsonNode usage) {
        if (!usage.isObject()) {
            return NONE;
        }
        long prompt = Json.number(usage, "prompt_tokens") + Json.number(usage, "input_tokens");
        long completion = Json.number(usage, "completion_tokens") + Json.number(usage, "output_tokens");
        long total = Json.number(usage, "total_tokens");
        return new Usage(prompt, completion, total == 0 ? prompt + completion : total);
    }

    Usage plus(Usage other) {
        return new Usage(promptTokens + other.promptTokens, completionTokens + other.completionTokens,
                totalTokens + other.totalTokens);
    }
}
