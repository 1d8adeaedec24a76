package dev.smartflow.providers.cohere;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.providers.translate.ChatTranslation;
import dev.smartflow.providers.translate.EmbeddingVectors;
import java.util.List;

/**
 * Translates between OpenAI's chat and embeddings shapes and Cohere's v2 {@code /v2/chat} and {@code /v2/embed}
 * shapes, and adapts {@code /v2/rerank} calls, which keep Cohere's shape. Streams are
 * {@link CohereStreamTranslator}'s, which reuses the finish-reason, tool-call and usage rules here.
 *
 * <p>Chat request: v2 takes OpenAI's roles ({@code developer} becomes {@code system}), text and {@code image_url}
 * content parts, and tools in OpenAI's own {@code {"type":"function","function":{...}}} shape. An assistant message
 * with tool calls carries its text as Cohere's {@code tool_plan}; {@code tool} messages keep their
 * {@code tool_call_id}. Sampling fields are renamed ({@code top_p} to {@code p}, {@code top_k} to {@code k},
 * {@code stop} to {@code stop_sequences}, {@code max_completion_tokens} to {@code max_tokens}); a {@code tool_choice}
 * naming one function becomes {@code REQUIRED} with only that tool offered, since Cohere cannot name one. Cohere's own
 * fields ({@code documents}, {@code citation_options}, {@code safety_mode}, {@code thinking}, {@code strict_tools})
 * pass through; other OpenAI fields ({@code user}, {@code logit_bias}, {@code parallel_tool_calls}, ...) have no
 * counterpart and are dropped. {@code n} above 1 is refused: Cohere answers one choice.
 *
 * <p>Chat answer: text content items are joined into {@code content}; {@code thinking} items and the
 * {@code tool_plan} become {@code reasoning_content}; tool calls keep their ids. Usage is what Cohere bills
 * ({@code usage.billed_units}, which leaves out the tokens Cohere adds to the prompt itself), falling back to the raw
 * {@code usage.tokens} counts when an answer has no billed units.
 */
final class CohereMapper {
    /** The {@code input_type} of an embeddings call that names none: Cohere's v3 and later models require one. */
    static final String DEFAULT_INPUT_TYPE = "search_document";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> NATIVE_FIELDS = List.of("documents", "citation_options", "safety_mode",
            "thinking", "strict_tools");

    private CohereMapper() {
    }

    /**
     * An OpenAI chat request as a v2 chat request for {@code model}.
     *
     * @throws InvalidRequest when the request cannot be expressed (an unknown role or content part, a tool message
     *                        without its call id, tool call arguments that are not JSON, {@code n} above 1, a
     *                        {@code tool_choice} naming a function that is not offered)
     */
    static ObjectNode toChatRequest(JsonNode chat, String model, boolean stream) {
        ObjectNode out = NODES.objectNode();
        out.put("model", model);
        ArrayNode messages = out.putArray("messages");
        JsonNode input = chat.path("messages");
        for (int i = 0; i < input.size(); i++) {
            JsonNode message = input.get(i);
            String role = message.path("role").asText();
            switch (role) {
                case "system", "developer" -> messages.addObject().put("role", "system")
                        .set("content", textContent(message.path("content"), i));
                case "user" -> messages.addObject().put("role", "user")
                        .set("content", userContent(message.path("content"), i));
                case "assistant" -> messages.add(assistant(message, i));
                case "tool" -> messages.add(toolResult(message, i));
                default -> throw invalid("messages[" + i + "].role '" + role + "' cannot be sent to Cohere",
                        "messages[" + i + "].role");
            }
        }
        if (stream) {
            out.put("stream", true);
        }
        sampling(chat, out);
        tools(chat, out);
        JsonNode format = chat.path("response_format");
        switch (format.path("type").asText("")) {
            case "json_object" -> out.putObject("response_format").put("type", "json_object");
            case "json_schema" -> {
                ObjectNode converted = out.putObject("response_format").put("type", "json_object");
                JsonNode schema = format.path("json_schema").path("schema");
                if (schema.isObject()) {
                    converted.set("json_schema", schema.deepCopy());
                }
            }
            default -> { }
        }
        for (String field : NATIVE_FIELDS) {
            if (chat.has(field) && !chat.path(field).isNull()) {
                out.set(field, chat.path(field).deepCopy());
            }
        }
        return out;
    }

    /** A v2 chat answer as an OpenAI chat completion; the caller has checked that it did not end in error. */
    static ObjectNode toChatCompletion(JsonNode answer, String model, long created) {
        JsonNode message = answer.path("message");
        StringBuilder text = new StringBuilder();
        StringBuilder thinking = new StringBuilder();
        for (JsonNode item : message.path("content")) {
            String type = item.path("type").asText("text");
            if (type.equals("thinking") && item.path("thinking").isTextual()) {
                thinking.append(item.path("thinking").textValue());
            } else if (type.equals("text") && item.path("text").isTextual()) {
                text.append(item.path("text").textValue());
            }
        }
        ArrayNode calls = NODES.arrayNode();
        for (JsonNode call : message.path("tool_calls")) {
            calls.add(toolCall(call));
        }
        ObjectNode out = NODES.objectNode();
        out.put("id", answer.path("id").asText(""));
        out.put("object", "chat.completion");
        out.put("created", created);
        out.put("model", model);
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode reply = choice.putObject("message").put("role", "assistant");
        if (text.isEmpty() && !calls.isEmpty()) {
            reply.putNull("content");
        } else {
            reply.put("content", text.toString());
        }
        String reasoning = join(thinking.toString(), message.path("tool_plan").asText(""));
        if (!reasoning.isEmpty()) {
            reply.put("reasoning_content", reasoning);
        }
        if (!calls.isEmpty()) {
            reply.set("tool_calls", calls);
        }
        choice.put("finish_reason", finishReason(answer.path("finish_reason").asText(""), !calls.isEmpty()));
        out.set("usage", usage(answer.path("usage")));
        return out;
    }

    /** True for the finish reasons that mean the generation broke off: {@code ERROR} and {@code TIMEOUT}. */
    static boolean failed(String reason) {
        return reason.equals("ERROR") || reason.equals("TIMEOUT");
    }

    /** Cohere's {@code finish_reason} as OpenAI's; a normal stop after tool calls is {@code tool_calls}. */
    static String finishReason(String reason, boolean calledTools) {
        return switch (reason) {
            case "MAX_TOKENS" -> "length";
            case "TOOL_CALL" -> "tool_calls";
            default -> calledTools ? "tool_calls" : "stop";
        };
    }

    /**
     * Cohere's {@code usage} as OpenAI's: billed input and output tokens (the raw {@code tokens} counts when nothing
     * was billed), and {@code cached_tokens}, when Cohere reports it, as the cached part of the prompt.
     */
    static ObjectNode usage(JsonNode usage) {
        long prompt = count(usage, "input_tokens");
        long completion = count(usage, "output_tokens");
        ObjectNode out = NODES.objectNode();
        out.put("prompt_tokens", prompt);
        out.put("completion_tokens", completion);
        out.put("total_tokens", prompt + completion);
        long cached = Math.min(prompt, Math.max(0, usage.path("cached_tokens").asLong(0)));
        out.putObject("prompt_tokens_details").put("cached_tokens", cached);
        return out;
    }

    /** A v2 tool call as an OpenAI one: the same shape, the arguments always a JSON string. */
    static ObjectNode toolCall(JsonNode call) {
        JsonNode function = call.path("function");
        JsonNode arguments = function.path("arguments");
        ObjectNode out = NODES.objectNode();
        out.put("id", call.path("id").asText(""));
        out.put("type", "function");
        out.putObject("function")
                .put("name", function.path("name").asText(""))
                .put("arguments", arguments.isTextual() ? arguments.textValue()
                        : arguments.isMissingNode() || arguments.isNull() ? "" : ChatTranslation.json(arguments));
        return out;
    }

    /**
     * An OpenAI embeddings request as a v2 embed request: {@code texts}, the request's {@code input_type} (default
     * {@value #DEFAULT_INPUT_TYPE}), float vectors, {@code dimensions} as {@code output_dimension} and Cohere's
     * {@code truncate} when given.
     *
     * @throws InvalidRequest if the input is not a string or a non-empty list of strings
     */
    static ObjectNode toEmbedRequest(JsonNode request, String model) {
        JsonNode input = request.path("input");
        ArrayNode texts = NODES.arrayNode();
        if (input.isTextual()) {
            texts.add(input.textValue());
        } else if (input.isArray() && !input.isEmpty()) {
            for (JsonNode item : input) {
                if (!item.isTextual()) {
                    throw invalid("Cohere embeds text: input must be a string or a list of strings", "input");
                }
                texts.add(item.textValue());
            }
        } else {
            throw invalid("input must be a string or a non-empty list of strings", "input");
        }
        ObjectNode out = NODES.objectNode();
        out.put("model", model);
        out.set("texts", texts);
        String inputType = request.path("input_type").asText("").strip();
        out.put("input_type", inputType.isEmpty() ? DEFAULT_INPUT_TYPE : inputType);
        out.putArray("embedding_types").add("float");
        if (request.path("dimensions").canConvertToInt()) {
            out.put("output_dimension", request.path("dimensions").intValue());
        }
        if (request.path("truncate").isTextual()) {
            out.put("truncate", request.path("truncate").textValue());
        }
        return out;
    }

    /** The float vectors of a v2 embed answer: {@code embeddings.float}, or {@code embeddings} itself in v1's shape. */
    static JsonNode vectors(JsonNode answer) {
        JsonNode embeddings = answer.path("embeddings");
        return embeddings.isArray() ? embeddings : embeddings.path("float");
    }

    /**
     * A v2 embed answer in OpenAI's embeddings shape; vectors as float lists, or as base64 of little-endian float32
     * when the caller asked for {@code encoding_format: base64}. Usage is the billed input tokens.
     */
    static ObjectNode toEmbeddings(JsonNode answer, String model, boolean base64) {
        ObjectNode out = NODES.objectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        JsonNode vectors = vectors(answer);
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode entry = data.addObject().put("object", "embedding").put("index", i);
            if (base64) {
                entry.put("embedding", EmbeddingVectors.base64(vectors.get(i)));
            } else {
                entry.set("embedding", vectors.get(i).deepCopy());
            }
        }
        out.put("model", model);
        long tokens = answer.path("meta").path("billed_units").path("input_tokens").asLong(0);
        out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return out;
    }

    /**
     * A rerank request as v2 takes it: the caller's body with {@code model} set and without v1's
     * {@code return_documents}, which v2 no longer takes (the adapter puts the documents back itself).
     */
    static Body toRerankRequest(Body request, String model) {
        if (!request.json().has("return_documents") && request.text("model").filter(model::equals).isPresent()) {
            return request;
        }
        return request.edit(o -> {
            o.remove("return_documents");
            o.put("model", model);
        });
    }

    /**
     * A v2 rerank answer as the caller gets it: untouched, unless the request asked for {@code return_documents},
     * in which case each result gets its {@code document} as v1 gave it ({@code {"text": ...}} for a string).
     */
    static Body toRerankAnswer(Body answer, JsonNode request) {
        if (!request.path("return_documents").asBoolean(false)) {
            return answer;
        }
        JsonNode documents = request.path("documents");
        return answer.edit(o -> {
            for (JsonNode result : o.path("results")) {
                JsonNode document = documents.path(result.path("index").asInt(-1));
                if (result.isObject() && !document.isMissingNode()) {
                    ((ObjectNode) result).set("document", document.isTextual()
                            ? NODES.objectNode().put("text", document.textValue()) : document.deepCopy());
                }
            }
        });
    }

    private static void sampling(JsonNode chat, ObjectNode out) {
        copyNumber(chat, "temperature", out, "temperature");
        copyNumber(chat, "top_p", out, "p");
        copyNumber(chat, "top_k", out, "k");
        copyNumber(chat, "seed", out, "seed");
        copyNumber(chat, "frequency_penalty", out, "frequency_penalty");
        copyNumber(chat, "presence_penalty", out, "presence_penalty");
        JsonNode maxTokens = chat.path("max_completion_tokens").isNumber() ? chat.path("max_completion_tokens")
                : chat.path("max_tokens");
        if (maxTokens.isNumber()) {
            out.put("max_tokens", maxTokens.intValue());
        }
        JsonNode stop = chat.path("stop");
        if (stop.isTextual()) {
            out.putArray("stop_sequences").add(stop.textValue());
        } else if (stop.isArray() && !stop.isEmpty()) {
            out.set("stop_sequences", stop.deepCopy());
        }
        if (chat.path("logprobs").asBoolean(false)) {
            out.put("logprobs", true);
        }
        if (chat.path("n").canConvertToInt() && chat.path("n").intValue() > 1) {
            throw invalid("Cohere answers one choice per request: n must be 1", "n");
        }
    }

    private static void tools(JsonNode chat, ObjectNode out) {
        JsonNode tools = chat.path("tools");
        if (!tools.isArray() || tools.isEmpty()) {
            return;
        }
        JsonNode choice = chat.path("tool_choice");
        String only = choice.isObject() ? choice.path("function").path("name").asText(null) : null;
        ArrayNode converted = NODES.arrayNode();
        boolean strict = false;
        for (JsonNode tool : tools) {
            JsonNode function = tool.path("function");
            String name = function.path("name").asText("");
            if (only != null && !only.equals(name)) {
                continue;
            }
            ObjectNode declared = converted.addObject().put("type", "function").putObject("function")
                    .put("name", name);
            if (function.path("description").isTextual()) {
                declared.put("description", function.path("description").textValue());
            }
            if (function.path("parameters").isObject()) {
                declared.set("parameters", function.path("parameters").deepCopy());
            }
            strict |= function.path("strict").asBoolean(false);
        }
        if (only != null && converted.isEmpty()) {
            throw invalid("tool_choice names the function '" + only + "', which tools does not offer", "tool_choice");
        }
        out.set("tools", converted);
        if (strict && !chat.has("strict_tools")) {
            // Cohere's strictness is per request, OpenAI's per function: one strict function makes the call strict.
            out.put("strict_tools", true);
        }
        if (only != null) {
            out.put("tool_choice", "REQUIRED");
        } else if (choice.isTextual()) {
            switch (choice.textValue()) {
                case "required" -> out.put("tool_choice", "REQUIRED");
                case "none" -> out.put("tool_choice", "NONE");
                default -> { }
            }
        }
    }

    /** An assistant turn: its text is the {@code tool_plan} of a turn that calls tools, the content otherwise. */
    private static ObjectNode assistant(JsonNode message, int index) {
        ObjectNode out = NODES.objectNode().put("role", "assistant");
        String text = text(message.path("content"));
        JsonNode calls = message.path("tool_calls");
        if (!calls.isArray() || calls.isEmpty()) {
            out.put("content", text);
            return out;
        }
        if (!text.isEmpty()) {
            out.put("tool_plan", text);
        }
        ArrayNode converted = out.putArray("tool_calls");
        for (JsonNode call : calls) {
            if (!call.path("id").isTextual() || call.path("id").textValue().isEmpty()) {
                throw invalid("messages[" + index + "].tool_calls needs an id for every call",
                        "messages[" + index + "].tool_calls");
            }
            JsonNode function = call.path("function");
            JsonNode arguments = ChatTranslation.toolArguments(function, index);
            converted.addObject()
                    .put("id", call.path("id").textValue())
                    .put("type", "function")
                    .putObject("function")
                    .put("name", function.path("name").asText(""))
                    .put("arguments", ChatTranslation.json(arguments));
        }
        return out;
    }

    private static ObjectNode toolResult(JsonNode message, int index) {
        JsonNode id = message.path("tool_call_id");
        if (!id.isTextual() || id.textValue().isEmpty()) {
            throw invalid("messages[" + index + "] is a tool result without a tool_call_id",
                    "messages[" + index + "].tool_call_id");
        }
        ObjectNode out = NODES.objectNode().put("role", "tool").put("tool_call_id", id.textValue());
        JsonNode content = message.path("content");
        if (content.isMissingNode() || content.isNull()) {
            out.put("content", "");
        } else {
            out.set("content", textContent(content, index));
        }
        return out;
    }

    /** Text content as v2 takes it: a string stays a string, text parts become text items. */
    private static JsonNode textContent(JsonNode content, int index) {
        if (content.isTextual()) {
            return content.deepCopy();
        }
        ArrayNode items = NODES.arrayNode();
        for (JsonNode part : content) {
            if (!part.path("type").asText().equals("text")) {
                throw invalid("messages[" + index + "] has a content part of type '" + part.path("type").asText()
                        + "' where Cohere takes text only", "messages[" + index + "].content");
            }
            items.addObject().put("type", "text").put("text", part.path("text").asText(""));
        }
        return items;
    }

    private static JsonNode userContent(JsonNode content, int index) {
        if (content.isTextual()) {
            return content.deepCopy();
        }
        if (!content.isArray()) {
            throw invalid("messages[" + index + "].content must be a string or a list of content parts",
                    "messages[" + index + "].content");
        }
        ArrayNode items = NODES.arrayNode();
        for (JsonNode part : content) {
            switch (part.path("type").asText()) {
                case "text" -> items.addObject().put("type", "text").put("text", part.path("text").asText(""));
                case "image_url" -> {
                    ObjectNode image = items.addObject().put("type", "image_url").putObject("image_url")
                            .put("url", ChatTranslation.imageUrl(part.path("image_url")));
                    if (part.path("image_url").path("detail").isTextual()) {
                        image.put("detail", part.path("image_url").path("detail").textValue());
                    }
                }
                default -> throw invalid("messages[" + index + "] has a content part of type '"
                        + part.path("type").asText() + "' that cannot be sent to Cohere",
                        "messages[" + index + "].content");
            }
        }
        return items;
    }

    /** The text of a message's content: a string, or its text parts joined; empty for none. */
    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.textValue();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (part.path("type").asText().equals("text")) {
                text.append(part.path("text").asText(""));
            }
        }
        return text.toString();
    }

    private static long count(JsonNode usage, String field) {
        JsonNode billed = usage.path("billed_units").path(field);
        return Math.max(0, billed.isNumber() ? billed.asLong() : usage.path("tokens").path(field).asLong(0));
    }

    private static String join(String first, String second) {
        if (first.isEmpty()) {
            return second;
        }
        return second.isEmpty() ? first : first + "\n\n" + second;
    }

    private static void copyNumber(JsonNode from, String field, ObjectNode to, String as) {
        if (from.path(field).isNumber()) {
            to.set(as, from.path(field).deepCopy());
        }
    }

    private static InvalidRequest invalid(String message, String param) {
        return new InvalidRequest(message, "invalid_request", param);
    }
}
