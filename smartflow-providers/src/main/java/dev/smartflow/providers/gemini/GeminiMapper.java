package dev.smartflow.providers.gemini;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.providers.translate.ChatTranslation;
import dev.smartflow.providers.translate.EmbeddingVectors;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Translates between OpenAI's chat and embeddings shapes and Gemini's {@code generateContent} and
 * {@code batchEmbedContents} shapes. Streams are {@link GeminiStreamTranslator}'s, which reuses the per-part and
 * per-candidate rules here.
 *
 * <p>Request: {@code system} and {@code developer} messages become {@code systemInstruction}; {@code assistant} is
 * Gemini's {@code model} role; adjacent turns of one role are merged, since Gemini wants them alternating; assistant
 * {@code tool_calls} become {@code functionCall} parts and {@code tool} messages {@code functionResponse} parts of a
 * user turn, named after the call they answer (Gemini matches responses by name, OpenAI by id). Sampling fields go to
 * {@code generationConfig}. OpenAI fields with no Gemini counterpart ({@code logprobs}, {@code user}, ...) are dropped:
 * Gemini rejects fields it does not know.
 *
 * <p>Answer: text parts are concatenated ({@code thought} parts become {@code reasoning_content}), each
 * {@code functionCall} becomes a tool call with a generated id, since Gemini's calls have none; a thinking model's
 * {@code thoughtSignature} rides in that id ({@link #SIGNATURE_MARK}) and goes back on the {@code functionCall} part
 * when the caller sends the call back.
 */
final class GeminiMapper {
    /**
     * Joins a generated tool call id and the {@code thoughtSignature} of its {@code functionCall} part. Thinking models
     * reject a conversation whose earlier function calls come back without their signatures, and OpenAI clients echo
     * tool call ids verbatim, so the id is where the signature survives the round trip. Signatures are base64, which
     * never holds this mark.
     */
    static final String SIGNATURE_MARK = "__thought__";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> SYSTEM_ROLES = Set.of("system", "developer");
    /** JSON Schema keywords that Gemini's OpenAPI-subset {@code Schema} rejects; dropped from tool parameters. */
    private static final Set<String> UNSUPPORTED_SCHEMA_KEYS = Set.of("$schema", "additionalProperties", "strict",
            "$id", "$comment");
    private static final Map<String, String> MIME_BY_EXTENSION = Map.ofEntries(
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("heic", "image/heic"),
            Map.entry("heif", "image/heif"),
            Map.entry("pdf", "application/pdf"),
            Map.entry("mp3", "audio/mp3"),
            Map.entry("wav", "audio/wav"),
            Map.entry("mp4", "video/mp4"),
            Map.entry("txt", "text/plain"));

    private GeminiMapper() {
    }

    /** The model id Gemini's paths take: a {@code models/} resource prefix, if the caller wrote one, is dropped. */
    static String upstreamModel(String model) {
        return model.startsWith("models/") ? model.substring("models/".length()) : model;
    }

    /**
     * An OpenAI chat request as a {@code generateContent} request.
     *
     * @throws InvalidRequest when a message cannot be expressed (unknown role, a tool result for an unknown call,
     *                        tool call arguments that are not JSON, an unsupported content part)
     */
    static ObjectNode toGenerateContentRequest(JsonNode chat) {
        ObjectNode out = NODES.objectNode();
        ArrayNode system = NODES.arrayNode();
        ArrayNode contents = out.putArray("contents");
        Map<String, String> callNames = new HashMap<>();
        JsonNode input = chat.path("messages");
        for (int i = 0; i < input.size(); i++) {
            JsonNode message = input.get(i);
            String role = message.path("role").asText();
            if (SYSTEM_ROLES.contains(role)) {
                system.addAll(textParts(message.path("content")));
                continue;
            }
            switch (role) {
                case "user" -> append(contents, "user", contentParts(message.path("content"), i));
                case "assistant" -> append(contents, "model", assistantParts(message, i, callNames));
                case "tool" -> append(contents, "user", functionResponse(message, i, callNames));
                default -> throw invalid(i, "role", "messages[" + i + "].role '" + role
                        + "' cannot be sent to Gemini");
            }
        }
        if (!system.isEmpty()) {
            out.putObject("systemInstruction").set("parts", system);
        }
        ObjectNode config = generationConfig(chat);
        if (!config.isEmpty()) {
            out.set("generationConfig", config);
        }
        JsonNode tools = chat.path("tools");
        if (tools.isArray() && !tools.isEmpty()) {
            ArrayNode declarations = out.putArray("tools").addObject().putArray("functionDeclarations");
            for (JsonNode tool : tools) {
                JsonNode function = tool.path("function");
                ObjectNode declaration = declarations.addObject().put("name", function.path("name").asText());
                if (function.path("description").isTextual()) {
                    declaration.put("description", function.path("description").textValue());
                }
                JsonNode parameters = function.path("parameters");
                if (parameters.isObject() && !parameters.path("properties").isEmpty()) {
                    declaration.set("parameters", schema(parameters));
                }
            }
            toolConfig(chat.path("tool_choice")).ifPresent(c -> out.set("toolConfig", c));
        }
        return out;
    }

    /** A {@code generateContent} answer as an OpenAI chat completion. */
    static ObjectNode toChatCompletion(JsonNode answer, String model, long created) {
        ObjectNode out = NODES.objectNode();
        out.put("id", completionId(answer));
        out.put("object", "chat.completion");
        out.put("created", created);
        out.put("model", answer.path("modelVersion").asText(model));
        ArrayNode choices = out.putArray("choices");
        JsonNode candidates = answer.path("candidates");
        for (int i = 0; i < candidates.size(); i++) {
            JsonNode candidate = candidates.get(i);
            ObjectNode choice = choices.addObject();
            choice.put("index", candidate.path("index").asInt(i));
            ObjectNode reply = choice.putObject("message");
            reply.put("role", "assistant");
            StringBuilder text = new StringBuilder();
            StringBuilder thinking = new StringBuilder();
            ArrayNode toolCalls = NODES.arrayNode();
            for (JsonNode part : candidate.path("content").path("parts")) {
                if (part.path("functionCall").isObject()) {
                    toolCalls.add(toolCall(part));
                } else if (part.path("text").isTextual()) {
                    (part.path("thought").asBoolean(false) ? thinking : text).append(part.path("text").textValue());
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
            choice.put("finish_reason", finishReason(candidate.path("finishReason").asText("STOP"),
                    !toolCalls.isEmpty()));
        }
        if (choices.isEmpty()) {
            // No candidate at all: the prompt itself was blocked (promptFeedback.blockReason).
            ObjectNode choice = choices.addObject();
            choice.put("index", 0);
            choice.putObject("message").put("role", "assistant").put("content", "");
            choice.put("finish_reason", answer.path("promptFeedback").has("blockReason") ? "content_filter" : "stop");
        }
        out.set("usage", usage(answer.path("usageMetadata")));
        return out;
    }

    /**
     * Gemini's {@code finishReason} as OpenAI's {@code finish_reason}; a normal stop after function calls is
     * {@code tool_calls}, as OpenAI reports it.
     */
    static String finishReason(String reason, boolean calledTools) {
        return switch (reason) {
            case "MAX_TOKENS" -> "length";
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
                 "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION" -> "content_filter";
            default -> calledTools ? "tool_calls" : "stop";
        };
    }

    /**
     * Gemini's {@code usageMetadata} as OpenAI's usage. Gemini's {@code promptTokenCount} already includes cached
     * content, as OpenAI's {@code prompt_tokens} does; thinking tokens are billed as output, so they count as
     * completion tokens and are reported as {@code reasoning_tokens} too.
     */
    static ObjectNode usage(JsonNode usage) {
        long prompt = usage.path("promptTokenCount").asLong(0);
        long thoughts = usage.path("thoughtsTokenCount").asLong(0);
        long completion = usage.path("candidatesTokenCount").asLong(0) + thoughts;
        ObjectNode out = NODES.objectNode();
        out.put("prompt_tokens", prompt);
        out.put("completion_tokens", completion);
        out.put("total_tokens", usage.path("totalTokenCount").asLong(prompt + completion));
        out.putObject("prompt_tokens_details").put("cached_tokens", usage.path("cachedContentTokenCount").asLong(0));
        if (thoughts > 0) {
            out.putObject("completion_tokens_details").put("reasoning_tokens", thoughts);
        }
        return out;
    }

    /**
     * A part holding a Gemini {@code functionCall} as an OpenAI tool call: a fresh id (carrying the part's
     * {@code thoughtSignature}, if any), the arguments as a JSON string.
     */
    static ObjectNode toolCall(JsonNode part) {
        JsonNode functionCall = part.path("functionCall");
        String id = functionCall.path("id").isTextual() ? functionCall.path("id").textValue() : newCallId();
        if (part.path("thoughtSignature").isTextual()) {
            id = id + SIGNATURE_MARK + part.path("thoughtSignature").textValue();
        }
        ObjectNode call = NODES.objectNode();
        call.put("id", id);
        call.put("type", "function");
        JsonNode args = functionCall.path("args");
        call.putObject("function")
                .put("name", functionCall.path("name").asText())
                .put("arguments", ChatTranslation.json(args.isObject() ? args : NODES.objectNode()));
        return call;
    }

    /** The chat completion id: Gemini's {@code responseId} when it sent one. */
    static String completionId(JsonNode answer) {
        String responseId = answer.path("responseId").asText("");
        return "chatcmpl-" + (responseId.isEmpty() ? UUID.randomUUID().toString().replace("-", "") : responseId);
    }

    /**
     * An OpenAI embeddings request as a {@code batchEmbedContents} request for {@code model}: one request per input.
     *
     * @throws InvalidRequest if the input is not a string or a list of strings
     */
    static ObjectNode toBatchEmbedRequest(JsonNode embeddings, String model) {
        JsonNode input = embeddings.path("input");
        ArrayNode texts = NODES.arrayNode();
        if (input.isTextual()) {
            texts.add(input);
        } else if (input.isArray() && !input.isEmpty()) {
            for (JsonNode item : input) {
                if (!item.isTextual()) {
                    throw new InvalidRequest("Gemini embeds text only: input must be a string or a list of strings",
                            "invalid_request", "input");
                }
                texts.add(item);
            }
        } else {
            throw new InvalidRequest("input must be a string or a non-empty list of strings", "invalid_request",
                    "input");
        }
        ObjectNode out = NODES.objectNode();
        ArrayNode requests = out.putArray("requests");
        for (JsonNode text : texts) {
            ObjectNode request = requests.addObject().put("model", "models/" + model);
            request.putObject("content").putArray("parts").addObject().put("text", text.textValue());
            if (embeddings.path("dimensions").canConvertToInt()) {
                request.put("outputDimensionality", embeddings.path("dimensions").intValue());
            }
        }
        return out;
    }

    /**
     * A {@code batchEmbedContents} answer in OpenAI's embeddings shape; vectors as float lists, or as base64 of
     * little-endian float32 when the caller asked for {@code encoding_format: base64}.
     */
    static ObjectNode toEmbeddings(JsonNode answer, String model, boolean base64) {
        ObjectNode out = NODES.objectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        JsonNode embeddings = answer.path("embeddings");
        for (int i = 0; i < embeddings.size(); i++) {
            ObjectNode entry = data.addObject().put("object", "embedding").put("index", i);
            JsonNode values = embeddings.get(i).path("values");
            if (base64) {
                entry.put("embedding", EmbeddingVectors.base64(values));
            } else {
                entry.set("embedding", values.isArray() ? values.deepCopy() : NODES.arrayNode());
            }
        }
        out.put("model", model);
        long tokens = answer.path("usageMetadata").path("promptTokenCount").asLong(0);
        out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return out;
    }

    private static ObjectNode generationConfig(JsonNode chat) {
        ObjectNode config = NODES.objectNode();
        copyNumber(chat, "temperature", config, "temperature");
        copyNumber(chat, "top_p", config, "topP");
        copyNumber(chat, "top_k", config, "topK");
        copyNumber(chat, "presence_penalty", config, "presencePenalty");
        copyNumber(chat, "frequency_penalty", config, "frequencyPenalty");
        copyNumber(chat, "seed", config, "seed");
        copyNumber(chat, "n", config, "candidateCount");
        JsonNode maxTokens = chat.path("max_completion_tokens").isNumber() ? chat.path("max_completion_tokens")
                : chat.path("max_tokens");
        if (maxTokens.isNumber()) {
            config.put("maxOutputTokens", maxTokens.intValue());
        }
        JsonNode stop = chat.path("stop");
        if (stop.isTextual()) {
            config.putArray("stopSequences").add(stop.textValue());
        } else if (stop.isArray() && !stop.isEmpty()) {
            config.set("stopSequences", stop.deepCopy());
        }
        JsonNode format = chat.path("response_format");
        switch (format.path("type").asText("")) {
            case "json_object" -> config.put("responseMimeType", "application/json");
            case "json_schema" -> {
                config.put("responseMimeType", "application/json");
                JsonNode schema = format.path("json_schema").path("schema");
                if (schema.isObject()) {
                    config.set("responseSchema", schema(schema));
                }
            }
            default -> { }
        }
        return config;
    }

    private static Optional<ObjectNode> toolConfig(JsonNode choice) {
        ObjectNode calling = NODES.objectNode();
        if (choice.isTextual()) {
            calling.put("mode", switch (choice.textValue()) {
                case "required" -> "ANY";
                case "none" -> "NONE";
                default -> "AUTO";
            });
        } else if (choice.isObject() && choice.path("function").path("name").isTextual()) {
            calling.put("mode", "ANY");
            calling.putArray("allowedFunctionNames").add(choice.path("function").path("name").textValue());
        } else {
            return Optional.empty();
        }
        ObjectNode config = NODES.objectNode();
        config.set("functionCallingConfig", calling);
        return Optional.of(config);
    }

    /** Appends a turn, merging it into the previous one when the role repeats. */
    private static void append(ArrayNode contents, String role, ArrayNode parts) {
        ChatTranslation.appendTurn(contents, role, "parts", parts);
    }

    private static ArrayNode contentParts(JsonNode content, int index) {
        ArrayNode parts = NODES.arrayNode();
        if (content.isTextual()) {
            if (!content.textValue().isEmpty()) {
                parts.addObject().put("text", content.textValue());
            }
            return parts;
        }
        for (JsonNode part : content) {
            switch (part.path("type").asText()) {
                case "text" -> parts.addObject().put("text", part.path("text").asText());
                case "image_url" -> parts.add(media(part.path("image_url"), index));
                case "input_audio" -> {
                    JsonNode audio = part.path("input_audio");
                    parts.addObject().putObject("inlineData")
                            .put("mimeType", "audio/" + audio.path("format").asText("wav"))
                            .put("data", audio.path("data").asText());
                }
                default -> throw invalid(index, "content", "messages[" + index + "] has a content part of type '"
                        + part.path("type").asText() + "' that cannot be sent to Gemini");
            }
        }
        return parts;
    }

    private static ArrayNode textParts(JsonNode content) {
        ArrayNode parts = NODES.arrayNode();
        if (content.isTextual()) {
            parts.addObject().put("text", content.textValue());
        } else {
            for (JsonNode part : content) {
                if (part.path("text").isTextual()) {
                    parts.addObject().put("text", part.path("text").textValue());
                }
            }
        }
        return parts;
    }

    /** A data URL as {@code inlineData}; any other URL as {@code fileData}, its MIME type guessed from its name. */
    private static ObjectNode media(JsonNode imageUrl, int index) {
        String url = ChatTranslation.imageUrl(imageUrl);
        ObjectNode part = NODES.objectNode();
        ChatTranslation.dataUrl(url, index).ifPresentOrElse(
                data -> part.putObject("inlineData").put("mimeType", data.mediaType()).put("data", data.data()),
                () -> part.putObject("fileData").put("mimeType", guessMimeType(url)).put("fileUri", url));
        return part;
    }

    /** By the file extension of the URL's path; {@code image/jpeg} when there is none we know. */
    static String guessMimeType(String url) {
        String path = url;
        int cut = indexOfAny(path, '?', '#');
        if (cut >= 0) {
            path = path.substring(0, cut);
        }
        int dot = path.lastIndexOf('.');
        int slash = path.lastIndexOf('/');
        if (dot > slash && dot >= 0) {
            String mime = MIME_BY_EXTENSION.get(path.substring(dot + 1).toLowerCase(Locale.ROOT));
            if (mime != null) {
                return mime;
            }
        }
        return "image/jpeg";
    }

    private static ArrayNode assistantParts(JsonNode message, int index, Map<String, String> callNames) {
        ArrayNode parts = message.path("content").isNull() ? NODES.arrayNode()
                : contentParts(message.path("content"), index);
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode function = call.path("function");
            String name = function.path("name").asText();
            String id = call.path("id").asText();
            callNames.put(id, name);
            JsonNode args = ChatTranslation.toolArguments(function, index);
            ObjectNode part = parts.addObject();
            part.putObject("functionCall").put("name", name).set("args", args);
            int mark = id.indexOf(SIGNATURE_MARK);
            if (mark >= 0) {
                part.put("thoughtSignature", id.substring(mark + SIGNATURE_MARK.length()));
            }
        }
        return parts;
    }

    /**
     * A tool result as a {@code functionResponse} part. Gemini wants an object: a JSON object result goes as is,
     * anything else under {@code output}.
     */
    private static ArrayNode functionResponse(JsonNode message, int index, Map<String, String> callNames) {
        String id = message.path("tool_call_id").asText("");
        String name = callNames.get(id);
        if (name == null) {
            name = message.path("name").asText("");
        }
        if (name.isEmpty()) {
            throw invalid(index, "tool_call_id", "messages[" + index + "] answers tool call '" + id
                    + "', which no earlier assistant message made");
        }
        JsonNode content = message.path("content");
        String text = content.isTextual() ? content.textValue() : joinText(content);
        JsonNode response;
        try {
            JsonNode parsed = text.isBlank() ? null : Body.MAPPER.readTree(text);
            response = parsed != null && parsed.isObject() ? parsed : NODES.objectNode().put("output", text);
        } catch (JsonProcessingException e) {
            response = NODES.objectNode().put("output", text);
        }
        ArrayNode parts = NODES.arrayNode();
        ObjectNode functionResponse = parts.addObject().putObject("functionResponse").put("name", name);
        functionResponse.set("response", response);
        return parts;
    }

    private static String joinText(JsonNode content) {
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            text.append(part.path("text").asText(""));
        }
        return text.toString();
    }

    /** A copy of a JSON Schema without the keywords Gemini's schema subset rejects. */
    private static JsonNode schema(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = NODES.objectNode();
            node.properties().forEach(e -> {
                if (!UNSUPPORTED_SCHEMA_KEYS.contains(e.getKey())) {
                    // Under "properties" the keys are field names, which may be any word, so recurse per value only.
                    out.set(e.getKey(), e.getKey().equals("properties") ? properties(e.getValue())
                            : schema(e.getValue()));
                }
            });
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode();
            node.forEach(item -> out.add(schema(item)));
            return out;
        }
        return node.deepCopy();
    }

    private static JsonNode properties(JsonNode properties) {
        if (!properties.isObject()) {
            return properties.deepCopy();
        }
        ObjectNode out = NODES.objectNode();
        properties.properties().forEach(e -> out.set(e.getKey(), schema(e.getValue())));
        return out;
    }

    private static void copyNumber(JsonNode from, String field, ObjectNode to, String as) {
        if (from.path(field).isNumber()) {
            to.set(as, from.path(field).deepCopy());
        }
    }

    private static int indexOfAny(String text, char a, char b) {
        int i = text.indexOf(a);
        int j = text.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    private static String newCallId() {
        return "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }

    private static InvalidRequest invalid(int index, String field, String message) {
        return new InvalidRequest(message, "invalid_request", "messages[" + index + "]." + field);
    }
}
