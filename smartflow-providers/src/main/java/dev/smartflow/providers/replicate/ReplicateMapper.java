package dev.smartflow.providers.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Translates an OpenAI chat request to the inputs of a Replicate language model, and a prediction back to a chat
 * completion.
 *
 * <p>Prompt format: Replicate's language models (Meta's Llama family, Mistral's, and most others) take a
 * {@code prompt} and a {@code system_prompt} and apply their own chat template to them. So {@code system} and
 * {@code developer} messages, joined by a blank line, become {@code system_prompt}; a conversation of one user message
 * becomes {@code prompt} as it is; a longer conversation is rendered as a transcript, one turn per paragraph, ending
 * with the turn the model is to write:
 * <pre>
 * User: What is the capital of France?
 *
 * Assistant: Paris.
 *
 * User: And of Italy?
 *
 * Assistant:
 * </pre>
 * Sampling fields: {@code max_tokens} (or {@code max_completion_tokens}) as {@code max_tokens}, {@code temperature},
 * {@code top_p}, {@code seed}, and {@code stop} as {@code stop_sequences} (comma-separated, as the Llama models take
 * them). Images, tools and tool calls have no counterpart in these inputs and are refused with a 400 rather than
 * dropped.
 *
 * <p>Answer: the output (a list of text pieces, or one text) joined; usage from the prediction's
 * {@code metrics.input_token_count} and {@code output_token_count}, when the model reports them.
 */
final class ReplicateMapper {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> SYSTEM_ROLES = Set.of("system", "developer");

    private ReplicateMapper() {
    }

    /** One turn of the conversation: who speaks ({@code User}, {@code Assistant}) and what they said. */
    record Turn(String speaker, String text) {
    }

    /**
     * The model's {@code input} for an OpenAI chat request.
     *
     * @throws InvalidRequest for tools, images, tool calls, or an unknown role
     */
    static ObjectNode toInput(JsonNode chat) {
        if (chat.path("tools").isArray() && !chat.path("tools").isEmpty()) {
            throw new InvalidRequest("Replicate models take no tools", "invalid_request", "tools");
        }
        List<String> system = new ArrayList<>();
        List<Turn> turns = new ArrayList<>();
        JsonNode messages = chat.path("messages");
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String role = message.path("role").asText();
            if (message.path("tool_calls").isArray() && !message.path("tool_calls").isEmpty()) {
                throw new InvalidRequest("messages[" + i + "] has tool calls, which Replicate models cannot take",
                        "invalid_request", "messages[" + i + "].tool_calls");
            }
            String text = text(message.path("content"), i);
            if (SYSTEM_ROLES.contains(role)) {
                if (!text.isBlank()) {
                    system.add(text);
                }
                continue;
            }
            String speaker = switch (role) {
                case "user" -> "User";
                case "assistant" -> "Assistant";
                case "tool" -> throw new InvalidRequest("messages[" + i + "] is a tool result, which Replicate models"
                        + " cannot take", "invalid_request", "messages[" + i + "].role");
                default -> throw new InvalidRequest("messages[" + i + "].role '" + role
                        + "' cannot be sent to Replicate", "invalid_request", "messages[" + i + "].role");
            };
            turns.add(new Turn(speaker, text));
        }
        ObjectNode input = NODES.objectNode();
        input.put("prompt", prompt(turns));
        if (!system.isEmpty()) {
            input.put("system_prompt", String.join("\n\n", system));
        }
        JsonNode maxTokens = chat.path("max_completion_tokens").isNumber() ? chat.path("max_completion_tokens")
                : chat.path("max_tokens");
        if (maxTokens.isNumber()) {
            input.put("max_tokens", maxTokens.intValue());
        }
        copyNumber(chat, "temperature", input);
        copyNumber(chat, "top_p", input);
        copyNumber(chat, "seed", input);
        JsonNode stop = chat.path("stop");
        if (stop.isTextual()) {
            input.put("stop_sequences", stop.textValue());
        } else if (stop.isArray() && !stop.isEmpty()) {
            List<String> sequences = new ArrayList<>();
            stop.forEach(s -> sequences.add(s.asText()));
            input.put("stop_sequences", String.join(",", sequences));
        }
        return input;
    }

    /** The prompt: a single user turn as it is, anything longer as a transcript ending with the assistant's cue. */
    static String prompt(List<Turn> turns) {
        if (turns.size() == 1 && turns.getFirst().speaker().equals("User")) {
            return turns.getFirst().text();
        }
        StringBuilder out = new StringBuilder();
        for (Turn turn : turns) {
            out.append(turn.speaker()).append(": ").append(turn.text()).append("\n\n");
        }
        return out.append("Assistant:").toString();
    }

    /** A prediction's output as text: a list of pieces joined, a string as it is, nothing as empty. */
    static String outputText(JsonNode output) {
        if (output.isTextual()) {
            return output.textValue();
        }
        StringBuilder text = new StringBuilder();
        if (output.isArray()) {
            output.forEach(piece -> text.append(piece.isTextual() ? piece.textValue() : ""));
        }
        return text.toString();
    }

    /** A succeeded prediction as an OpenAI chat completion. */
    static ObjectNode toChatCompletion(JsonNode prediction, String model, long created, JsonNode chat) {
        ObjectNode out = NODES.objectNode();
        out.put("id", "chatcmpl-" + prediction.path("id").asText(""));
        out.put("object", "chat.completion");
        out.put("created", created);
        out.put("model", model);
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", outputText(prediction.path("output")));
        choice.put("finish_reason", finishReason(prediction, chat));
        usage(prediction).ifPresent(usage -> out.set("usage", usage));
        return out;
    }

    /**
     * {@code length} when the model wrote exactly the tokens it was allowed (Replicate says no more), else
     * {@code stop}.
     */
    static String finishReason(JsonNode prediction, JsonNode chat) {
        JsonNode maxTokens = chat.path("max_completion_tokens").isNumber() ? chat.path("max_completion_tokens")
                : chat.path("max_tokens");
        JsonNode output = prediction.path("metrics").path("output_token_count");
        return maxTokens.isNumber() && output.isNumber() && output.asLong() >= maxTokens.asLong() ? "length" : "stop";
    }

    /** The prediction's token counts as OpenAI usage; empty when the model reported none. */
    static Optional<ObjectNode> usage(JsonNode prediction) {
        JsonNode metrics = prediction.path("metrics");
        if (!metrics.has("input_token_count") && !metrics.has("output_token_count")) {
            return Optional.empty();
        }
        long prompt = Usage.count(metrics.path("input_token_count"), 0);
        long completion = Usage.count(metrics.path("output_token_count"), 0);
        ObjectNode usage = NODES.objectNode();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        return Optional.of(usage);
    }

    private static String text(JsonNode content, int index) {
        if (content.isTextual()) {
            return content.textValue();
        }
        if (content.isNull() || content.isMissingNode()) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (!part.path("type").asText().equals("text")) {
                throw new InvalidRequest("messages[" + index + "] has a content part of type '"
                        + part.path("type").asText() + "' that cannot be sent to Replicate", "invalid_request",
                        "messages[" + index + "].content");
            }
            text.append(part.path("text").asText());
        }
        return text.toString();
    }

    private static void copyNumber(JsonNode from, String field, ObjectNode to) {
        if (from.path(field).isNumber()) {
            to.set(field, from.path(field).deepCopy());
        }
    }
}
