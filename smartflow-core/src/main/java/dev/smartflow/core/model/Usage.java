package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Token counts of one answer, as the provider reported them; zeros when it reported none.
 *
 * @param promptTokens       every prompt token, cached ones included (OpenAI's {@code prompt_tokens})
 * @param completionTokens   the tokens generated, reasoning included
 * @param totalTokens        as reported, or prompt plus completion
 * @param cachedPromptTokens the part of {@code promptTokens} read from the provider's prompt cache
 *                           ({@code prompt_tokens_details.cached_tokens}), billed at the cached-input price
 */
public record Usage(long promptTokens, long completionTokens, long totalTokens, long cachedPromptTokens) {
    public static final Usage NONE = new Usage(0, 0, 0, 0);

    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || totalTokens < 0 || cachedPromptTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
    }

    /** Counts without cached prompt tokens. */
    public Usage(long promptTokens, long completionTokens, long totalTokens) {
        this(promptTokens, completionTokens, totalTokens, 0);
    }

    /** Reads an OpenAI {@code usage} object. */
    public static Usage from(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return NONE;
        }
        long prompt = Math.max(0, usage.path("prompt_tokens").asLong(0));
        long completion = Math.max(0, usage.path("completion_tokens").asLong(0));
        long total = Math.max(0, usage.path("total_tokens").asLong(prompt + completion));
        long cached = Math.max(0, usage.path("prompt_tokens_details").path("cached_tokens").asLong(0));
        return new Usage(prompt, completion, total, cached);
    }

    /** The prompt tokens billed at the full input price: all of them but the cached ones. */
    public long uncachedPromptTokens() {
        return Math.max(0, promptTokens - cachedPromptTokens);
    }
}
