package dev.smartflow.client;

import java.util.Objects;
import java.util.Optional;

/**
 * How to call Claude on the native Messages route ({@code /anthropic/v1/messages}): model (default
 * {@code claude-sonnet-4-6}), {@code max_tokens} (1024) and a system prompt. The gateway holds the Anthropic key;
 * the client presents its own key as {@code x-api-key}.
 */
public record ClaudeOptions(String model, int maxTokens, Optional<String> system) {
    public ClaudeOptions {
        Objects.requireNonNull(model, "model");
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be positive, not " + maxTokens);
        }
        Objects.requireNonNull(system, "system");
    }

    public static ClaudeOptions defaults() {
        return new ClaudeOptions("claude-sonnet-4-6", 1024, Optional.empty());
    }

    public ClaudeOptions withModel(String value) {
        return new ClaudeOptions(value, maxTokens, system);
    }

    public ClaudeOptions withMaxTokens(int value) {
        return new ClaudeOptions(model, value, system);
    }

    public ClaudeOptions withSystem(String value) {
        return new ClaudeOptions(model, maxTokens, Optional.of(value));
    }
}
