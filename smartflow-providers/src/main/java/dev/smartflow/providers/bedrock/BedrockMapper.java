package dev.smartflow.providers.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.providers.translate.ChatTranslation;
import dev.smartflow.providers.translate.EmbeddingVectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Translates between OpenAI's chat and embeddings shapes and Bedrock's: the Converse API for chat (one shape for every
 * chat model Bedrock hosts), InvokeModel bodies for Titan and Cohere embeddings. Streams are
 * {@link BedrockStreamTranslator}'s, which reuses the stop-reason and usage rules here.
 *
 * <p>Request: {@code system} and {@code developer} messages become {@code system} blocks; adjacent turns of one role
 * are merged, since Converse wants them alternating; assistant {@code tool_calls} become {@code toolUse} blocks and
 * {@code tool} messages {@code toolResult} blocks of a user turn; image parts become {@code image} blocks, from a
 * base64 data URL ({@code png}, {@code jpeg}, {@code gif}, {@code webp}) or an {@code s3://} URI (Bedrock fetches no
 * other URL). {@code max_tokens} (or {@code max_completion_tokens}), {@code temperature}, {@code top_p} and
 * {@code stop} go to {@code inferenceConfig}; tools to {@code toolConfig}, {@code tool_choice} as {@code auto},
 * {@code any} or a named {@code tool} ({@code none} keeps the tools, which a conversation holding tool calls needs,
 * and sets no choice: Converse has no way to forbid calls). Other OpenAI fields have no Converse counterpart and are
 * dropped; empty text is dropped too, since Converse rejects blank blocks.
 *
 * <p>Answer: text blocks are concatenated, {@code reasoningContent} becomes {@code reasoning_content}, each
 * {@code toolUse} a tool call with its own id. Usage: Bedrock counts prompt-cache reads and writes apart from
 * {@code inputTokens}, so all three make {@code prompt_tokens} and the reads are {@code cached_tokens}, as for
 * Anthropic.
 */
final class BedrockMapper {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> SYSTEM_ROLES = Set.of("system", "developer");
    private static final Map<String, String> IMAGE_FORMATS = Map.of("image/png", "png", "image/jpeg", "jpeg",
            "image/jpg", "jpeg", "image/gif", "gif", "image/webp", "webp");
    /** Cohere's embed models on Bedrock take at most this many texts per call. */
    static final int COHERE_BATCH = 96;

    private BedrockMapper() {
    }

    /** How a Bedrock model embeds text, by its family; {@code NONE} for a model that does not. */
    enum EmbeddingFamily {
        TITAN, COHERE, NONE;

        static EmbeddingFamily of(String model) {
            String id = model.toLowerCase(Locale.ROOT);
            if (id.contains("amazon.titan-embed-text")) {
                return TITAN;
            }
            if (id.contains("cohere.embed")) {
                return COHERE;
            }
            return NONE;
        }
    }

    /**
     * An OpenAI chat request as a Converse request (the model goes in the URL, not the body).
     *
     * @throws InvalidRequest when a message cannot be expressed (unknown role, an image Bedrock cannot take, tool
     *                        call arguments that are not JSON)
     */
    static ObjectNode toConverseRequest(JsonNode chat) {
        ObjectNode out = NODES.objectNode();
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
                        + "' cannot be sent to Bedrock", "invalid_request", "messages[" + i + "].role");
            }
        }
        if (!system.isEmpty()) {
            out.set("system", system);
        }
        ObjectNode config = NODES.objectNode();
        JsonNode maxTokens = chat.path("max_completion_tokens").isNumber() ? chat.path("max_completion_tokens")
                : chat.path("max_tokens");
        if (maxTokens.isNumber()) {
            config.put("maxTokens", maxTokens.intValue());
        }
        copyNumber(chat, "temperature", config, "temperature");
        copyNumber(chat, "top_p", config, "topP");
        JsonNode stop = chat.path("stop");
        if (stop.isTextual()) {
            config.putArray("stopSequences").add(stop.textValue());
        } else if (stop.isArray() && !stop.isEmpty()) {
            config.set("stopSequences", stop.deepCopy());
        }
        if (!config.isEmpty()) {
            out.set("inferenceConfig", config);
        }
        JsonNode tools = chat.path("tools");
        if (tools.isArray() && !tools.isEmpty()) {
            ObjectNode toolConfig = out.putObject("toolConfig");
            ArrayNode specs = toolConfig.putArray("tools");
            for (JsonNode tool : tools) {
                JsonNode function = tool.path("function");
                ObjectNode spec = specs.addObject().putObject("toolSpec").put("name", function.path("name").asText());
                if (function.path("description").isTextual()) {
                    spec.put("description", function.path("description").textValue());
                }
                JsonNode parameters = function.path("parameters");
                spec.putObject("inputSchema").set("json", parameters.isObject() ? parameters.deepCopy()
                        : NODES.objectNode().put("type", "object").set("properties", NODES.objectNode()));
            }
            JsonNode choice = chat.path("tool_choice");
            if (choice.isTextual() && choice.textValue().equals("required")) {
                toolConfig.putObject("toolChoice").putObject("any");
            } else if (choice.isTextual() && choice.textValue().equals("auto")) {
                toolConfig.putObject("toolChoice").putObject("auto");
            } else if (choice.isObject() && choice.path("function").path("name").isTextual()) {
                toolConfig.putObject("toolChoice").putObject("tool")
                        .put("name", choice.path("function").path("name").textValue());
            }
        }
        return out;
    }

    /** A Converse answer as an OpenAI chat completion. */
    static ObjectNode toChatCompletion(JsonNode answer, String id, String model, long created) {
        ObjectNode out = NODES.objectNode();
        out.put("id", id);
        out.put("object", "chat.completion");
        out.put("created", created);
        out.put("model", model);
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode reply = choice.putObject("message");
        reply.put("role", "assistant");
        StringBuilder text = new StringBuilder();
        StringBuilder thinking = new StringBuilder();
        ArrayNode toolCalls = NODES.arrayNode();
        for (JsonNode block : answer.path("output").path("message").path("content")) {
            if (block.path("text").isTextual()) {
                text.append(block.path("text").textValue());
            } else if (block.path("toolUse").isObject()) {
                JsonNode use = block.path("toolUse");
                ObjectNode call = toolCalls.addObject();
                call.put("id", use.path("toolUseId").asText());
                call.put("type", "function");
                JsonNode arguments = use.path("input").isMissingNode() ? NODES.objectNode() : use.path("input");
                call.putObject("function")
                        .put("name", use.path("name").asText())
                        .put("arguments", ChatTranslation.json(arguments));
            } else if (block.path("reasoningContent").path("reasoningText").path("text").isTextual()) {
                thinking.append(block.path("reasoningContent").path("reasoningText").path("text").textValue());
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
        choice.put("finish_reason", finishReason(answer.path("stopReason").asText(null)));
        out.set("usage", usage(answer.path("usage")));
        return out;
    }

    /** Converse's {@code stopReason} as OpenAI's {@code finish_reason}. */
    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "guardrail_intervened", "content_filtered" -> "content_filter";
            default -> "stop";
        };
    }

    /** Converse's usage as OpenAI's: cache reads and writes counted into the prompt, reads as cached tokens. */
    static ObjectNode usage(JsonNode usage) {
        long cacheRead = usage.path("cacheReadInputTokens").asLong(0);
        long cacheWrite = usage.path("cacheWriteInputTokens").asLong(0);
        long prompt = usage.path("inputTokens").asLong(0) + cacheRead + cacheWrite;
        long completion = usage.path("outputTokens").asLong(0);
        ObjectNode out = NODES.objectNode();
        out.put("prompt_tokens", prompt);
        out.put("completion_tokens", completion);
        out.put("total_tokens", prompt + completion);
        out.putObject("prompt_tokens_details").put("cached_tokens", cacheRead);
        return out;
    }

    /** A completion id for an answer that names none: Bedrock's request id when it sent one. */
    static String completionId(String requestId) {
        return "chatcmpl-" + (requestId == null || requestId.isBlank()
                ? UUID.randomUUID().toString().replace("-", "") : requestId.replace("-", ""));
    }

    /**
     * The texts of an OpenAI embeddings request.
     *
     * @throws InvalidRequest if the input is not a string or a non-empty list of strings
     */
    static List<String> embeddingTexts(JsonNode embeddings) {
        JsonNode input = embeddings.path("input");
        List<String> texts = new ArrayList<>();
        if (input.isTextual()) {
            texts.add(input.textValue());
        } else if (input.isArray() && !input.isEmpty()) {
            for (JsonNode item : input) {
                if (!item.isTextual()) {
                    throw new InvalidRequest("Bedrock embeds text only: input must be a string or a list of strings",
                            "invalid_request", "input");
                }
                texts.add(item.textValue());
            }
        } else {
            throw new InvalidRequest("input must be a string or a non-empty list of strings", "invalid_request",
                    "input");
        }
        return texts;
    }

    /** A Titan text embeddings body for one text; {@code dimensions} and normalisation only where v2 takes them. */
    static ObjectNode titanRequest(String text, JsonNode embeddings, String model) {
        ObjectNode out = NODES.objectNode().put("inputText", text);
        if (!model.toLowerCase(Locale.ROOT).contains("titan-embed-text-v1")) {
            if (embeddings.path("dimensions").canConvertToInt()) {
                out.put("dimensions", embeddings.path("dimensions").intValue());
            }
            out.put("normalize", true);
        }
        return out;
    }

    /** A Cohere embed body for a batch of texts, with the request's {@code input_type} ({@code search_document}). */
    static ObjectNode cohereRequest(List<String> texts, JsonNode embeddings) {
        ObjectNode out = NODES.objectNode();
        ArrayNode array = out.putArray("texts");
        texts.forEach(array::add);
        out.put("input_type", embeddings.path("input_type").asText("search_document"));
        out.putArray("embedding_types").add("float");
        if (embeddings.path("dimensions").canConvertToInt()) {
            out.put("output_dimension", embeddings.path("dimensions").intValue());
        }
        return out;
    }

    /** The float vectors of a Cohere embed answer: {@code embeddings.float}, or a bare list from older models. */
    static JsonNode cohereVectors(JsonNode answer) {
        JsonNode embeddings = answer.path("embeddings");
        return embeddings.isObject() ? embeddings.path("float") : embeddings;
    }

    /** Vectors in OpenAI's embeddings shape, as floats or as OpenAI's base64. */
    static ObjectNode toEmbeddings(List<JsonNode> vectors, String model, long promptTokens, boolean base64) {
        ObjectNode out = NODES.objectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode entry = data.addObject().put("object", "embedding").put("index", i);
            JsonNode values = vectors.get(i);
            if (base64) {
                entry.put("embedding", EmbeddingVectors.base64(values));
            } else {
                entry.set("embedding", values.isArray() ? values.deepCopy() : NODES.arrayNode());
            }
        }
        out.put("model", model);
        out.putObject("usage").put("prompt_tokens", promptTokens).put("total_tokens", promptTokens);
        return out;
    }

    private static void append(ArrayNode messages, String role, ArrayNode blocks) {
        ChatTranslation.appendTurn(messages, role, "content", blocks);
    }

    private static ArrayNode contentBlocks(JsonNode content, int index) {
        ArrayNode blocks = NODES.arrayNode();
        if (content.isTextual()) {
            addText(blocks, content.textValue());
            return blocks;
        }
        for (JsonNode part : content) {
            switch (part.path("type").asText()) {
                case "text" -> addText(blocks, part.path("text").asText());
                case "image_url" -> blocks.add(image(part.path("image_url"), index));
                default -> throw new InvalidRequest("messages[" + index + "] has a content part of type '"
                        + part.path("type").asText() + "' that cannot be sent to Bedrock", "invalid_request",
                        "messages[" + index + "].content");
            }
        }
        return blocks;
    }

    private static ArrayNode textBlocks(JsonNode content) {
        ArrayNode blocks = NODES.arrayNode();
        if (content.isTextual()) {
            addText(blocks, content.textValue());
        } else {
            for (JsonNode part : content) {
                if (part.path("text").isTextual()) {
                    addText(blocks, part.path("text").textValue());
                }
            }
        }
        return blocks;
    }

    private static void addText(ArrayNode blocks, String text) {
        if (!text.isBlank()) {
            blocks.addObject().put("text", text);
        }
    }

    private static ObjectNode image(JsonNode imageUrl, int index) {
        String url = ChatTranslation.imageUrl(imageUrl);
        ObjectNode block = NODES.objectNode();
        ObjectNode image = block.putObject("image");
        Optional<ChatTranslation.DataUrl> data = ChatTranslation.dataUrl(url, index);
        if (data.isPresent()) {
            image.put("format", format(data.get().mediaType(), index));
            image.putObject("source").put("bytes", data.get().data());
        } else if (url.startsWith("s3://")) {
            String path = url.toLowerCase(Locale.ROOT);
            String extension = path.substring(path.lastIndexOf('.') + 1);
            image.put("format", format("image/" + extension, index));
            image.putObject("source").putObject("s3Location").put("uri", url);
        } else {
            throw new InvalidRequest("messages[" + index + "] has an image URL Bedrock cannot fetch: send it as a"
                    + " base64 data URL or an s3:// URI", "invalid_request", "messages[" + index + "].content");
        }
        return block;
    }

    private static String format(String mediaType, int index) {
        String format = IMAGE_FORMATS.get(mediaType.toLowerCase(Locale.ROOT));
        if (format == null) {
            throw new InvalidRequest("messages[" + index + "] has an image of a type Bedrock does not take (png,"
                    + " jpeg, gif or webp)", "invalid_request", "messages[" + index + "].content");
        }
        return format;
    }

    private static ArrayNode assistantBlocks(JsonNode message, int index) {
        ArrayNode blocks = message.path("content").isNull() || message.path("content").isMissingNode()
                ? NODES.arrayNode() : contentBlocks(message.path("content"), index);
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode function = call.path("function");
            ObjectNode use = blocks.addObject().putObject("toolUse");
            use.put("toolUseId", call.path("id").asText());
            use.put("name", function.path("name").asText());
            use.set("input", ChatTranslation.toolArguments(function, index));
        }
        return blocks;
    }

    private static ArrayNode toolResult(JsonNode message) {
        ArrayNode blocks = NODES.arrayNode();
        ObjectNode result = blocks.addObject().putObject("toolResult");
        result.put("toolUseId", message.path("tool_call_id").asText());
        ArrayNode content = result.putArray("content");
        JsonNode given = message.path("content");
        StringBuilder text = new StringBuilder();
        if (given.isTextual()) {
            text.append(given.textValue());
        } else {
            given.forEach(part -> text.append(part.path("text").asText("")));
        }
        // a tool that returned nothing still answered: Converse wants one non-empty block
        content.addObject().put("text", text.isEmpty() ? "(empty)" : text.toString());
        return blocks;
    }

    private static void copyNumber(JsonNode from, String field, ObjectNode to, String as) {
        if (from.path(field).isNumber()) {
            to.set(as, from.path(field).deepCopy());
        }
    }
}
