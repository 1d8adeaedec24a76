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
    /** The most tokens one answer is counted for: far above any model's context, far below where sums overflow. */
    public static final long MAX_COUNT = 1_000_000_000L;

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
        long prompt = count(usage.path("prompt_tokens"), 0);
        long completion = count(usage.path("completion_tokens"), 0);
        long total = count(usage.path("total_tokens"), prompt + completion);
        long cached = count(usage.path("prompt_tokens_details").path("cached_tokens"), 0);
        return new Usage(prompt, completion, total, cached);
    }

    /**
     * A token count as an upstream reported it, held to 0 to {@link #MAX_COUNT}: a negative or absurd figure from a
     * broken or hostile upstream must not overflow the sums of cost, metrics and analytics.
     */
    public static long count(JsonNode value, long absent) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return absent;
        }
        return Math.min(MAX_COUNT, Math.max(0, value.asLong(absent)));
    }

    /** The prompt tokens billed at the full input price: all of them but the cached ones. */
    public long uncachedPromptTokens() {
        return Math.max(0, promptTokens - cachedPromptTokens);
    }
}
