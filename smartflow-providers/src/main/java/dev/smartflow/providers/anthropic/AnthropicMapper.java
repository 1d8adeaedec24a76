package dev.smartflow.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.providers.translate.ChatTranslation;
import java.util.Optional;
import java.util.Set;

/**
 * Translates between OpenAI's chat completion shape and Anthropic's Messages shape: requests one way, answers (whole
 * messages) the other way. Streams are {@link AnthropicStreamTranslator}'s.
 *
 * <p>Request: {@code system} and {@code developer} messages become {@code system}; adjacent turns of one role are
 * merged, since Anthropic wants them alternating; {@code tool} messages become {@code tool_result} blocks of a user
 * turn; assistant {@code tool_calls} become {@code tool_use} blocks; image parts become image blocks (a data URL as a
 * base64 source, any other URL as a url source). {@code max_tokens} is required by Anthropic, so it gets
 * {@link #DEFAULT_MAX_TOKENS} when the caller gave neither it nor {@code max_completion_tokens}. OpenAI fields with no
 * Anthropic counterpart ({@code n}, {@code logprobs}, {@code response_format}, ...) are dropped: Anthropic rejects
 * fields it does not know.
 */
final class AnthropicMapper {
    static final int DEFAULT_MAX_TOKENS = 4096;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> SYSTEM_ROLES = Set.of("system", "developer");

    private AnthropicMapper() {
    }

    /**
     * The model name Anthropic knows: without a context-window suffix such as Claude Code's {@code [1m]}, which is
     * a client-side marker (the window itself is asked for with an {@code anthropic-beta} header).
     */
    static String upstreamModel(String model) {
        int bracket = model.lastIndexOf('[');
        return bracket > 0 && model.endsWith("]") ? model.substring(0, bracket) : model;
    }

    /**
     * An OpenAI chat request as a Messages request for {@code model}.
     *
     * @throws InvalidRequest when a message cannot be expressed (unknown role, tool call arguments that are not JSON)
     */
    static ObjectNode toMessagesRequest(JsonNode chat, String model) {
        ObjectNode out = NODES.objectNode();
        out.put("model", model);
        JsonNode maxTokens = chat.path("max_completion_tokens").isNumber() ? chat.path("max_completion_tokens")
                : chat.path("max_tokens");
        out.put("max_tokens", maxTokens.isNumber() ? maxTokens.intValue() : DEFAULT_MAX_TOKENS);

        ArrayNode system = NODES.arrayNode();
        ArrayNode messages = out.putArray("messages");
        JsonNode input = chat.path("messages");
        for (int i = 0; i < input.size(); i++) {
            JsonNode message = input.get(i);
            String role = message.path("role").asText();
            if (SYSTEM_ROLES.contains(role)) {
                system.addAll(textBlocks(message.path("content")));
                continue;
            }
            switch (role) {
                case "user" -> append(messages, "user", contentBlocks(message.path("content"), i));
                case "assistant" -> append(messages, "assistant", assistantBlocks(message, i));
                case "tool" -> append(messages, "user", toolResult(message));
                default -> throw new InvalidRequest("messages[" + i + "].role '" + role
                        + "' cannot be sent to Anthropic", "invalid_request", "messages[" + i + "].role");
            }
        }
        if (system.size() == 1 && !system.get(0).has("cache_control")) {
            out.put("system", system.get(0).path("text").asText());
        } else if (!system.isEmpty()) {
            out.set("system", system);
        }

        copyNumber(chat, out, "temperature");
        copyNumber(chat, out, "top_p");
        copyNumber(chat, out, "top_k");
        JsonNode stop = chat.path("stop");
        if (stop.isTextual()) {
            out.putArray("stop_sequences").add(stop.textValue());
        } else if (stop.isArray() && !stop.isEmpty()) {
            out.set("stop_sequences", stop.deepCopy());
        }
        if (chat.path("stream").asBoolean(false)) {
            out.put("stream", true);
        }
        if (chat.path("user").isTextual()) {
            out.putObject("metadata").put("user_id", chat.path("user").textValue());
        }
        JsonNode tools = chat.path("tools");
        if (tools.isArray() && !tools.isEmpty()) {
            ArrayNode converted = out.putArray("tools");
            for (JsonNode tool : tools) {
                JsonNode function = tool.path("function");
                ObjectNode anthropicTool = converted.addObject().put("name", function.path("name").asText());
                if (function.path("description").isTextual()) {
                    anthropicTool.put("description", function.path("description").textValue());
                }
                JsonNode parameters = function.path("parameters");
                anthropicTool.set("input_schema", parameters.isObject() ? parameters.deepCopy()
                        : NODES.objectNode().put("type", "object").set("properties", NODES.objectNode()));
            }
            toolChoice(chat).ifPresent(choice -> out.set("tool_choice", choice));
        }
        return out;
    }

    /** An Anthropic message (the answer to a non-streaming request) as an OpenAI chat completion. */
    static ObjectNode toChatCompletion(JsonNode message, long created) {
        ObjectNode out = NODES.objectNode();
        out.put("id", message.path("id").asText());
        out.put("object", "chat.completion");
        out.put("created", created);
        out.put("model", message.path("model").asText());
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode reply = choice.putObject("message");
        reply.put("role", "assistant");
        StringBuilder text = new StringBuilder();
        StringBuilder thinking = new StringBuilder();
        ArrayNode toolCalls = NODES.arrayNode();
        for (JsonNode block : message.path("content")) {
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText());
                case "thinking" -> thinking.append(block.path("thinking").asText());
                case "tool_use" -> {
                    ObjectNode call = toolCalls.addObject();
                    call.put("id", block.path("id").asText());
                    call.put("type", "function");
                    JsonNode input = block.path("input").isMissingNode() ? NODES.objectNode() : block.path("input");
                    call.putObject("function")
                            .put("name", block.path("name").asText())
                            .put("arguments", ChatTranslation.json(input));
                }
                default -> { }
            }
        }
        if (text.isEmpty() && !toolCalls.isEmpty()) {
            reply.putNull("content");
        } else {
            reply.put("content", text.toString());
        }
        if (!thinking.isEmpty()) {
            reply.put("reasoning_content", thinking.toString());
        }
        if (!toolCalls.isEmpty()) {
            reply.set("tool_calls", toolCalls);
        }
        choice.put("finish_reason", finishReason(message.path("stop_reason").asText(null)));
        out.set("usage", usage(message.path("usage"), 0));
        return out;
    }

    /** Anthropic's {@code stop_reason} as OpenAI's {@code finish_reason}. */
    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop";
        };
    }

    /**
     * Anthropic's usage as OpenAI's. Anthropic counts cache reads and writes apart from {@code input_tokens}; OpenAI's
     * {@code prompt_tokens} includes cached tokens, so all three are added, and the cache reads are reported as
     * {@code prompt_tokens_details.cached_tokens}.
     *
     * @param outputOverride output tokens known from elsewhere (a stream's last {@code message_delta}), or 0
     */
    static ObjectNode usage(JsonNode usage, long outputOverride) {
        long cacheRead = usage.path("cache_read_input_tokens").asLong(0);
        long cacheWrite = usage.path("cache_creation_input_tokens").asLong(0);
        long prompt = usage.path("input_tokens").asLong(0) + cacheRead + cacheWrite;
        long completion = outputOverride > 0 ? outputOverride : usage.path("output_tokens").asLong(0);
        ObjectNode out = NODES.objectNode();
        out.put("prompt_tokens", prompt);
        out.put("completion_tokens", completion);
        out.put("total_tokens", prompt + completion);
        out.putObject("prompt_tokens_details").put("cached_tokens", cacheRead);
        return out;
    }

    private static Optional<ObjectNode> toolChoice(JsonNode chat) {
        JsonNode choice = chat.path("tool_choice");
        ObjectNode out = null;
        if (choice.isTextual()) {
            out = switch (choice.textValue()) {
                case "required" -> NODES.objectNode().put("type", "any");
                case "none" -> NODES.objectNode().put("type", "none");
                default -> NODES.objectNode().put("type", "auto");
            };
        } else if (choice.isObject() && choice.path("function").path("name").isTextual()) {
            out = NODES.objectNode().put("type", "tool").put("name", choice.path("function").path("name").asText());
        }
        if (chat.path("parallel_tool_calls").isBoolean() && !chat.path("parallel_tool_calls").booleanValue()) {
            if (out == null) {
                out = NODES.objectNode().put("type", "auto");
            }
            if (!"none".equals(out.path("type").asText())) {
                out.put("disable_parallel_tool_use", true);
            }
        }
        return Optional.ofNullable(out);
    }

    /** Appends a turn, merging it into the previous one when the role repeats. */
    private static void append(ArrayNode messages, String role, ArrayNode blocks) {
        ChatTranslation.appendTurn(messages, role, "content", blocks);
    }

    /** Content as Anthropic blocks: a string is one text block; parts are text or image blocks. */
    private static ArrayNode contentBlocks(JsonNode content, int index) {
        ArrayNode blocks = NODES.arrayNode();
        if (content.isTextual()) {
            if (!content.textValue().isEmpty()) {
                blocks.addObject().put("type", "text").put("text", content.textValue());
            }
            return blocks;
        }
        for (JsonNode part : content) {
            switch (part.path("type").asText()) {
                case "text" -> {
                    ObjectNode text = blocks.addObject().put("type", "text").put("text", part.path("text").asText());
                    copyCacheControl(part, text);
                }
                case "image_url" -> blocks.add(image(part.path("image_url"), index));
                default -> throw new InvalidRequest("messages[" + index + "] has a content part of type '"
                        + part.path("type").asText() + "' that cannot be sent to Anthropic", "invalid_request",
                        "messages[" + index + "].content");
            }
        }
        return blocks;
    }

    private static ArrayNode textBlocks(JsonNode content) {
        ArrayNode blocks = NODES.arrayNode();
        if (content.isTextual()) {
            blocks.addObject().put("type", "text").put("text", content.textValue());
        } else {
            for (JsonNode part : content) {
                if (part.path("text").isTextual()) {
                    ObjectNode text = blocks.addObject().put("type", "text").put("text", part.path("text").asText());
                    copyCacheControl(part, text);
                }
            }
        }
        return blocks;
    }

    private static ObjectNode image(JsonNode imageUrl, int index) {
        String url = ChatTranslation.imageUrl(imageUrl);
        ObjectNode block = NODES.objectNode().put("type", "image");
        ObjectNode source = block.putObject("source");
        ChatTranslation.dataUrl(url, index).ifPresentOrElse(
                data -> source.put("type", "base64").put("media_type", data.mediaType()).put("data", data.data()),
                () -> source.put("type", "url").put("url", url));
        return block;
    }

    private static ArrayNode assistantBlocks(JsonNode message, int index) {
        ArrayNode blocks = message.path("content").isNull() ? NODES.arrayNode()
                : contentBlocks(message.path("content"), index);
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode function = call.path("function");
            JsonNode input = ChatTranslation.toolArguments(function, index);
            blocks.addObject()
                    .put("type", "tool_use")
                    .put("id", call.path("id").asText())
                    .put("name", function.path("name").asText())
                    .set("input", input);
        }
        return blocks;
    }

    private static ArrayNode toolResult(JsonNode message) {
        ArrayNode blocks = NODES.arrayNode();
        ObjectNode result = blocks.addObject()
                .put("type", "tool_result")
                .put("tool_use_id", message.path("tool_call_id").asText());
        JsonNode content = message.path("content");
        if (content.isTextual()) {
            result.put("content", content.textValue());
        } else if (content.isArray()) {
            result.set("content", textBlocks(content));
        }
        return blocks;
    }

    private static void copyCacheControl(JsonNode from, ObjectNode to) {
        if (from.path("cache_control").isObject()) {
            to.set("cache_control", from.path("cache_control").deepCopy());
        }
    }

    private static void copyNumber(JsonNode from, ObjectNode to, String field) {
        if (from.path(field).isNumber()) {
            to.set(field, from.path(field).deepCopy());
        }
    }
}
