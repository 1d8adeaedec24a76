package dev.smartflow.cache.metacache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import java.util.Set;

/**
 * Which answers may be stored: only an answer that would be the right answer again. It must be complete and
 * plain text:
 * <ul>
 *   <li>OpenAI: exactly one choice, a string {@code content}, no {@code tool_calls}, {@code function_call},
 *       {@code refusal} or {@code audio}, and {@code finish_reason} {@code stop} or {@code length} ({@code length}
 *       is what the same {@code max_tokens}, which is part of the key, would give again);</li>
 *   <li>Anthropic: only text blocks, and {@code stop_reason} {@code end_turn}, {@code stop_sequence} or
 *       {@code max_tokens} (not {@code tool_use}, {@code pause_turn} or {@code refusal}).</li>
 * </ul>
 * The request side (n &gt; 1, temperature, status, streams that did not finish) is the stage's to check.
 */
final class Storable {
    private static final Set<String> OPENAI_FINISHES = Set.of("stop", "length");
    private static final Set<String> ANTHROPIC_STOPS = Set.of("end_turn", "stop_sequence", "max_tokens");

    private Storable() {
    }

    static boolean answer(CachedAnswer.Format format, JsonNode answer) {
        return format == CachedAnswer.Format.OPENAI ? openAi(answer) : anthropic(answer);
    }

    private static boolean openAi(JsonNode completion) {
        JsonNode choices = completion.path("choices");
        if (!(completion instanceof ObjectNode) || !choices.isArray() || choices.size() != 1) {
            return false;
        }
        JsonNode choice = choices.get(0);
        JsonNode message = choice.path("message");
        return OPENAI_FINISHES.contains(choice.path("finish_reason").asText())
                && message.path("content").isTextual()
                && absent(message, "tool_calls") && absent(message, "function_call") && absent(message, "refusal")
                && absent(message, "audio");
    }

    private static boolean anthropic(JsonNode message) {
        if (!(message instanceof ObjectNode) || !ANTHROPIC_STOPS.contains(message.path("stop_reason").asText())
                || !message.path("content").isArray() || message.path("content").isEmpty()) {
            return false;
        }
        for (JsonNode block : message.path("content")) {
            if (!block.path("type").asText().equals("text") || !block.path("text").isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static boolean absent(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() || value.isArray() && value.isEmpty();
    }

    /** The body of an answer as stored: the JSON as the provider answered it. */
    static Body body(JsonNode answer) {
        return Body.of(answer);
    }
}
