package dev.smartflow.cache.metacache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rebuilds a streamed answer, chunk by chunk as it passes, into the complete answer the provider would have sent
 * (an OpenAI {@code chat.completion}, an Anthropic {@code message}), so a stream is stored in the same form as a whole
 * answer. Keeps only the text and a few fields, and gives up (for good) on anything that could not be stored anyway:
 * a second choice, tool calls, a refusal, a non-text block, or more than {@code maxChars} of text. Not thread-safe:
 * one reader, as the stream itself.
 */
final class StreamAssembler {
    private final CachedAnswer.Format format;
    private final int maxChars;
    private boolean abandoned;
    private ObjectNode head;
    private final List<StringBuilder> texts = new ArrayList<>();
    private int chars;
    private String finish;
    private JsonNode openAiUsage;
    private long outputTokens = -1;

    StreamAssembler(CachedAnswer.Format format, int maxChars) {
        this.format = format;
        this.maxChars = maxChars;
    }

    void accept(Chunk chunk) {
        if (abandoned) {
            return;
        }
        JsonNode data;
        try {
            data = chunk.data().json();
        } catch (RuntimeException e) {
            abandoned = true;
            return;
        }
        if (format == CachedAnswer.Format.OPENAI) {
            openAi(data);
        } else {
            anthropic(data);
        }
        if (chars > maxChars) {
            abandoned = true;
        }
    }

    private void openAi(JsonNode chunk) {
        if (head == null && chunk.isObject()) {
            head = Body.MAPPER.createObjectNode();
            head.put("id", chunk.path("id").asText(""));
            head.put("object", "chat.completion");
            head.put("created", chunk.path("created").asLong());
            head.put("model", chunk.path("model").asText(""));
            if (chunk.path("system_fingerprint").isTextual()) {
                head.put("system_fingerprint", chunk.path("system_fingerprint").textValue());
            }
            texts.add(new StringBuilder());
        }
        if (chunk.path("usage").isObject()) {
            openAiUsage = chunk.get("usage");
        }
        for (JsonNode choice : chunk.path("choices")) {
            if (choice.path("index").asInt() != 0) {
                abandoned = true;
                return;
            }
            JsonNode delta = choice.path("delta");
            if (delta.hasNonNull("tool_calls") || delta.hasNonNull("function_call") || delta.hasNonNull("refusal")
                    || delta.hasNonNull("audio")) {
                abandoned = true;
                return;
            }
            if (delta.path("content").isTextual()) {
                append(0, delta.path("content").textValue());
            }
            if (choice.path("finish_reason").isTextual()) {
                finish = choice.path("finish_reason").textValue();
            }
        }
    }

    private void anthropic(JsonNode event) {
        switch (event.path("type").asText()) {
            case "message_start" -> head = event.path("message").isObject()
                    ? ((ObjectNode) event.get("message")).deepCopy() : null;
            case "content_block_start" -> {
                if (!event.path("content_block").path("type").asText().equals("text")
                        || event.path("index").asInt() != texts.size()) {
                    abandoned = true;
                    return;
                }
                texts.add(new StringBuilder(event.path("content_block").path("text").asText("")));
            }
            case "content_block_delta" -> {
                JsonNode delta = event.path("delta");
                int index = event.path("index").asInt();
                if (!delta.path("type").asText().equals("text_delta") || index < 0 || index >= texts.size()) {
                    abandoned = true;
                    return;
                }
                append(index, delta.path("text").asText(""));
            }
            case "message_delta" -> {
                if (event.path("delta").path("stop_reason").isTextual()) {
                    finish = event.path("delta").path("stop_reason").textValue();
                    if (head != null && event.path("delta").has("stop_sequence")) {
                        head.set("stop_sequence", event.path("delta").get("stop_sequence"));
                    }
                }
                if (event.path("usage").path("output_tokens").isNumber()) {
                    outputTokens = event.path("usage").path("output_tokens").asLong();
                }
            }
            default -> { }
        }
    }

    private void append(int index, String text) {
        texts.get(index).append(text);
        chars += text.length();
    }

    /**
     * The whole answer, once the stream ended, or empty when it cannot be stored. {@code meterUsage} is the usage the
     * pipeline's cost meter read, for an OpenAI stream whose usage chunk the caller did not ask to see.
     */
    Optional<JsonNode> answer(Optional<Usage> meterUsage) {
        if (abandoned || head == null || finish == null) {
            return Optional.empty();
        }
        if (format == CachedAnswer.Format.OPENAI) {
            ObjectNode completion = head.deepCopy();
            ObjectNode choice = completion.putArray("choices").addObject();
            choice.put("index", 0);
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", texts.isEmpty() ? "" : texts.get(0).toString());
            choice.put("finish_reason", finish);
            if (openAiUsage != null) {
                completion.set("usage", openAiUsage.deepCopy());
            } else if (meterUsage.isPresent()) {
                ObjectNode usage = completion.putObject("usage");
                usage.put("prompt_tokens", meterUsage.get().promptTokens());
                usage.put("completion_tokens", meterUsage.get().completionTokens());
                usage.put("total_tokens", meterUsage.get().promptTokens() + meterUsage.get().completionTokens());
            }
            return Optional.of(completion);
        }
        ObjectNode message = head.deepCopy();
        ArrayNode content = message.putArray("content");
        for (StringBuilder text : texts) {
            content.addObject().put("type", "text").put("text", text.toString());
        }
        message.put("stop_reason", finish);
        if (!message.has("stop_sequence")) {
            message.putNull("stop_sequence");
        }
        if (outputTokens >= 0) {
            ObjectNode usage = message.path("usage").isObject() ? (ObjectNode) message.get("usage")
                    : message.putObject("usage");
            usage.put("output_tokens", outputTokens);
        }
        return Optional.of(message);
    }
}
