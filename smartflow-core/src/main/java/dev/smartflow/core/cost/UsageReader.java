package dev.smartflow.core.cost;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.model.Usage;
import java.util.Optional;

/**
 * Collects the usage of one answer from its JSON: a whole body, or a stream's chunks one at a time. Reads both shapes
 * the pipeline answers in: OpenAI's ({@code prompt_tokens}, {@code completion_tokens},
 * {@code prompt_tokens_details.cached_tokens}; in a stream, the last chunk when {@code stream_options.include_usage}
 * was asked) and Anthropic's Messages ({@code input_tokens} plus cache reads and writes, {@code output_tokens}; in a
 * stream spread over {@code message_start} and the cumulative {@code message_delta}). Not thread-safe: one reader.
 */
final class UsageReader {
    private Usage openAi;
    private long anthropicInput = -1;
    private long anthropicCacheRead;
    private long anthropicCacheWrite;
    private long anthropicOutput;
    private String model;

    /** Looks at one answer body or one chunk's data. */
    void accept(JsonNode data) {
        JsonNode usage = data.path("usage");
        JsonNode message = data.path("message");
        if (message.isObject()) {
            // Anthropic's message_start wraps the message, usage and model included
            usage = message.path("usage");
            data = message;
        }
        if (data.path("model").isTextual() && !data.path("model").textValue().isEmpty()) {
            model = data.path("model").textValue();
        }
        if (!usage.isObject()) {
            return;
        }
        boolean anthropic = (usage.has("input_tokens") || usage.has("output_tokens"))
                && !usage.has("prompt_tokens") && !usage.has("completion_tokens");
        if (!anthropic) {
            openAi = Usage.from(usage);
            return;
        }
        // Anthropic's counts are cumulative: a later event's field replaces the earlier one, absent fields stay.
        anthropicInput = Usage.count(usage.path("input_tokens"), Math.max(0, anthropicInput));
        anthropicCacheRead = Usage.count(usage.path("cache_read_input_tokens"), anthropicCacheRead);
        anthropicCacheWrite = Usage.count(usage.path("cache_creation_input_tokens"), anthropicCacheWrite);
        anthropicOutput = Usage.count(usage.path("output_tokens"), anthropicOutput);
    }

    /** The usage seen so far, empty if none was. */
    Optional<Usage> usage() {
        if (openAi != null) {
            return Optional.of(openAi);
        }
        if (anthropicInput < 0) {
            return Optional.empty();
        }
        // As the adapters map it: OpenAI's prompt_tokens counts cache reads and writes; reads are the cached part.
        long prompt = anthropicInput + anthropicCacheRead + anthropicCacheWrite;
        return Optional.of(new Usage(prompt, anthropicOutput, prompt + anthropicOutput, anthropicCacheRead));
    }

    /** The model the answer named, if it named one. */
    Optional<String> model() {
        return Optional.ofNullable(model);
    }
}
