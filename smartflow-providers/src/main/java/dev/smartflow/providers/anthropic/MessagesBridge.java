package dev.smartflow.providers.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.Provider;
import java.util.Objects;

/**
 * Serves a native Anthropic Messages call ({@link Operation#ANTHROPIC_MESSAGES}) with a provider that speaks only
 * OpenAI's chat shape: the Messages request is translated to a chat request, the provider serves that, and its
 * {@code chat.completion} is translated back to an Anthropic message. So an Anthropic client (Claude Code, an
 * Anthropic SDK) can use any model the gateway routes to.
 *
 * <p>Request: {@code system} becomes the first system message; text and image blocks become content parts (a base64
 * source as a data URL); {@code tool_use} blocks become assistant {@code tool_calls}; {@code tool_result} blocks become
 * {@code tool} messages; thinking blocks are dropped; tools, {@code tool_choice}, {@code stop_sequences} and sampling
 * parameters are translated. Answer: text and tool calls become content blocks, {@code finish_reason} a
 * {@code stop_reason}, usage Anthropic's usage (cached prompt tokens as {@code cache_read_input_tokens}).
 *
 * <p>A streamed call asks the provider for a chat stream with usage, and reads it as Messages events
 * ({@link MessagesStreamTranslator}); a provider that answers a streamed call whole is answered whole.
 *
 * <pre>{@code
 * Response answer = MessagesBridge.serve(exchange, "gpt-4o-mini", openAiProvider);
 * }</pre>
 */
public final class MessagesBridge {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MessagesBridge() {
    }

    /**
     * @param exchange a Messages call
     * @param model    the model name {@code chat} knows
     * @param chat     a provider serving {@link Operation#CHAT} in OpenAI's shape
     * @throws InvalidRequest  if the call cannot be expressed as a chat request
     * @throws UpstreamFailure if the provider fails or answers something that is not a chat completion
     */
    public static Response serve(Exchange exchange, String model, Provider chat) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(chat, "chat");
        if (exchange.operation() != Operation.ANTHROPIC_MESSAGES) {
            throw new IllegalArgumentException("not a Messages call: " + exchange.operation());
        }
        boolean streaming = exchange.streaming();
        ObjectNode translated = toChatRequest(exchange.body().json(), model);
        if (streaming) {
            translated.put("stream", true);
            translated.putObject("stream_options").put("include_usage", true);
        }
        Exchange asChat = new Exchange(exchange.id(), exchange.traceId(), Operation.CHAT, exchange.principal(),
                Body.of(translated), exchange.headers(), exchange.attributes());
        Response response = chat.call(asChat, model);
        if (response instanceof Response.Streamed streamed) {
            if (!streaming) {
                streamed.chunks().close();
                throw UpstreamFailure.io(chat.name(), "answered a stream to a request for a whole answer", null);
            }
            return new Response.Streamed(streamed.status(), streamed.headers(),
                    new MessagesStreamTranslator(streamed.chunks(), chat.name()));
        }
        Response.Complete complete = (Response.Complete) response;
        JsonNode completion;
        try {
            completion = complete.body().json();
        } catch (InvalidRequest e) {
            throw UpstreamFailure.io(chat.name(), "answer is not JSON", e);
        }
        if (!completion.path("choices").isArray() || completion.path("choices").isEmpty()) {
            throw UpstreamFailure.io(chat.name(), "answer has no choices", null);
        }
        return new Response.Complete(complete.status(), complete.headers(), Body.of(toMessage(completion)));
    }

    /** A Messages request as an OpenAI chat request. */
    static ObjectNode toChatRequest(JsonNode messages, String model) {
        ObjectNode out = NODES.objectNode();
        out.put("model", model);
        ArrayNode chat = out.putArray("messages");
        JsonNode system = messages.path("system");
        if (system.isTextual()) {
            chat.addObject().put("role", "system").put("content", system.textValue());
        } else if (system.isArray() && !system.isEmpty()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode block : system) {
                text.append(text.isEmpty() ? "" : "\n\n").append(block.path("text").asText());
            }
            chat.addObject().put("role", "system").put("content", text.toString());
        }
        JsonNode input = messages.path("messages");
        for (int i = 0; i < input.size(); i++) {
            JsonNode message = input.get(i);
            String role = message.path("role").asText();
            switch (role) {
                case "user" -> user(chat, message.path("content"), i);
                case "assistant" -> assistant(chat, message.path("content"));
                default -> throw new InvalidRequest("messages[" + i + "].role must be 'user' or 'assistant'",
                        "invalid_request", "messages[" + i + "].role");
            }
        }
        if (messages.path("max_tokens").isNumber()) {
            out.put("max_tokens", messages.path("max_tokens").intValue());
        }
        for (String field : new String[] {"temperature", "top_p"}) {
            if (messages.path(field).isNumber()) {
                out.set(field, messages.path(field).deepCopy());
            }
        }
        if (messages.path("stop_sequences").isArray() && !messages.path("stop_sequences").isEmpty()) {
            out.set("stop", messages.path("stop_sequences").deepCopy());
        }
        if (messages.path("metadata").path("user_id").isTextual()) {
            out.put("user", messages.path("metadata").path("user_id").textValue());
        }
        JsonNode tools = messages.path("tools");
        if (tools.isArray() && !tools.isEmpty()) {
            ArrayNode converted = out.putArray("tools");
            for (JsonNode tool : tools) {
                ObjectNode function = converted.addObject().put("type", "function").putObject("function");
                function.put("name", tool.path("name").asText());
                if (tool.path("description").isTextual()) {
                    function.put("description", tool.path("description").textValue());
                }
                function.set("parameters", tool.path("input_schema").isObject() ? tool.path("input_schema").deepCopy()
                        : NODES.objectNode().put("type", "object"));
            }
            JsonNode choice = messages.path("tool_choice");
            switch (choice.path("type").asText("")) {
                case "auto" -> out.put("tool_choice", "auto");
                case "any" -> out.put("tool_choice", "required");
                case "none" -> out.put("tool_choice", "none");
                case "tool" -> out.putObject("tool_choice").put("type", "function").putObject("function")
                        .put("name", choice.path("name").asText());
                default -> { }
            }
            if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
                out.put("parallel_tool_calls", false);
            }
        }
        return out;
    }

    /** An OpenAI chat completion as an Anthropic message. */
    static ObjectNode toMessage(JsonNode completion) {
        JsonNode choice = completion.path("choices").path(0);
        JsonNode reply = choice.path("message");
        ObjectNode out = NODES.objectNode();
        out.put("id", completion.path("id").asText(""));
        out.put("type", "message");
        out.put("role", "assistant");
        out.put("model", completion.path("model").asText(""));
        ArrayNode content = out.putArray("content");
        if (reply.path("content").isTextual() && !reply.path("content").textValue().isEmpty()) {
            content.addObject().put("type", "text").put("text", reply.path("content").textValue());
        }
        for (JsonNode call : reply.path("tool_calls")) {
            String arguments = call.path("function").path("arguments").asText("");
            JsonNode input;
            try {
                input = arguments.isBlank() ? NODES.objectNode() : Body.MAPPER.readTree(arguments);
            } catch (JsonProcessingException e) {
                // Models do emit broken argument JSON; Anthropic's shape needs an object, so keep the text visible.
                input = NODES.objectNode().put("_raw_arguments", arguments);
            }
            content.addObject()
                    .put("type", "tool_use")
                    .put("id", call.path("id").asText())
                    .put("name", call.path("function").path("name").asText())
                    .set("input", input);
        }
        out.put("stop_reason", stopReason(choice.path("finish_reason").asText(null)));
        out.putNull("stop_sequence");
        JsonNode usage = completion.path("usage");
        long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
        ObjectNode converted = out.putObject("usage");
        converted.put("input_tokens", Math.max(0, usage.path("prompt_tokens").asLong(0) - cached));
        converted.put("cache_creation_input_tokens", 0);
        converted.put("cache_read_input_tokens", cached);
        converted.put("output_tokens", usage.path("completion_tokens").asLong(0));
        return out;
    }

    static String stopReason(String finishReason) {
        if (finishReason == null) {
            return "end_turn";
        }
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }

    /** A user turn: tool results become {@code tool} messages first, the rest one user message. */
    private static void user(ArrayNode chat, JsonNode content, int index) {
        if (content.isTextual()) {
            chat.addObject().put("role", "user").put("content", content.textValue());
            return;
        }
        ArrayNode parts = NODES.arrayNode();
        for (JsonNode block : content) {
            switch (block.path("type").asText()) {
                case "text" -> parts.addObject().put("type", "text").put("text", block.path("text").asText());
                case "image" -> {
                    JsonNode source = block.path("source");
                    String url = source.path("type").asText().equals("base64")
                            ? "data:" + source.path("media_type").asText() + ";base64," + source.path("data").asText()
                            : source.path("url").asText();
                    parts.addObject().put("type", "image_url").putObject("image_url").put("url", url);
                }
                case "tool_result" -> chat.addObject()
                        .put("role", "tool")
                        .put("tool_call_id", block.path("tool_use_id").asText())
                        .put("content", toolResultText(block.path("content")));
                default -> throw new InvalidRequest("messages[" + index + "] has a content block of type '"
                        + block.path("type").asText() + "' that this model's provider cannot take", "invalid_request",
                        "messages[" + index + "].content");
            }
        }
        if (!parts.isEmpty()) {
            ObjectNode message = chat.addObject().put("role", "user");
            if (parts.size() == 1 && parts.get(0).path("type").asText().equals("text")) {
                message.put("content", parts.get(0).path("text").asText());
            } else {
                message.set("content", parts);
            }
        }
    }

    private static void assistant(ArrayNode chat, JsonNode content) {
        ObjectNode message = chat.addObject().put("role", "assistant");
        if (content.isTextual()) {
            message.put("content", content.textValue());
            return;
        }
        StringBuilder text = new StringBuilder();
        ArrayNode calls = NODES.arrayNode();
        for (JsonNode block : content) {
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText());
                case "tool_use" -> {
                    ObjectNode call = calls.addObject().put("id", block.path("id").asText()).put("type", "function");
                    call.putObject("function")
                            .put("name", block.path("name").asText())
                            .put("arguments", block.path("input").isMissingNode() ? "{}"
                                    : block.path("input").toString());
                }
                default -> { }
            }
        }
        if (text.isEmpty() && !calls.isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", text.toString());
        }
        if (!calls.isEmpty()) {
            message.set("tool_calls", calls);
        }
    }

    private static String toolResultText(JsonNode content) {
        if (content.isTextual()) {
            return content.textValue();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode block : content) {
            if (block.path("text").isTextual()) {
                text.append(text.isEmpty() ? "" : "\n").append(block.path("text").textValue());
            }
        }
        return text.toString();
    }
}
