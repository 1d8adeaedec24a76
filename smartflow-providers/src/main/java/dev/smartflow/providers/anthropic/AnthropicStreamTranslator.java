package dev.smartflow.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.providers.sse.SseDecoder;
import dev.smartflow.providers.sse.UpstreamChunkStream;
import dev.smartflow.providers.translate.ChatChunks;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An Anthropic Messages stream read as OpenAI {@code chat.completion.chunk}s, one chunk per event that carries
 * something for the caller:
 * <ul>
 *   <li>{@code message_start}: the first chunk, with {@code role: assistant} and empty content;</li>
 *   <li>{@code content_block_start} of a {@code tool_use} block: a {@code tool_calls} delta with the call's index
 *       (counted over tool calls only), id, type, function name and empty arguments;</li>
 *   <li>{@code content_block_delta}: {@code text_delta} as content, {@code input_json_delta} as the same tool call's
 *       next {@code arguments} fragment (the fragments concatenate to the arguments JSON), {@code thinking_delta} as
 *       {@code reasoning_content};</li>
 *   <li>{@code message_delta}: the chunk with {@code finish_reason};</li>
 *   <li>{@code message_stop}: a usage-only chunk ({@code choices: []}) when the caller asked for
 *       {@code stream_options.include_usage} or the call is metered (the cost stage reads it then, and passes it on
 *       only if asked), then the end.</li>
 * </ul>
 * {@code ping}, {@code content_block_stop}, signature deltas and unknown events yield nothing. Failures, {@code error}
 * events included, are thrown as {@link UpstreamFailure} (see {@link AnthropicEvents}).
 */
final class AnthropicStreamTranslator extends UpstreamChunkStream {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final AnthropicEvents events;
    private final String provider;
    private final long created;
    private final boolean includeUsage;
    /** Anthropic's content block index to the OpenAI tool call index, for tool_use blocks only. */
    private final Map<Integer, Integer> toolIndex = new HashMap<>();

    private String id = "";
    private String model = "";
    private JsonNode startUsage = NODES.objectNode();
    private long outputTokens;

    AnthropicStreamTranslator(AnthropicEvents events, String provider, String model, long created,
                              boolean includeUsage) {
        this.events = Objects.requireNonNull(events, "events");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.model = Objects.requireNonNull(model, "model");
        this.created = created;
        this.includeUsage = includeUsage;
    }

    @Override
    protected void pull() {
        SseDecoder.Event event = events.next();
        if (event == null) {
            endStream();
        } else {
            translate(event);
        }
    }

    @Override
    protected void closeUpstream() {
        events.close();
    }

    private void translate(SseDecoder.Event event) {
        String type = event.event();
        if (type.equals("ping")) {
            return;
        }
        JsonNode data;
        try {
            data = Body.MAPPER.readTree(event.data());
        } catch (IOException e) {
            close();
            throw UpstreamFailure.io(provider, "stream event is not JSON", e);
        }
        switch (type) {
            case "message_start" -> {
                JsonNode message = data.path("message");
                id = message.path("id").asText(id);
                model = message.path("model").asText(model);
                startUsage = message.path("usage");
                ObjectNode delta = NODES.objectNode().put("role", "assistant").put("content", "");
                emit(delta, null);
            }
            case "content_block_start" -> {
                JsonNode block = data.path("content_block");
                if (block.path("type").asText().equals("tool_use")) {
                    int index = toolIndex.size();
                    toolIndex.put(data.path("index").asInt(), index);
                    ObjectNode call = NODES.objectNode().put("index", index)
                            .put("id", block.path("id").asText())
                            .put("type", "function");
                    call.putObject("function").put("name", block.path("name").asText()).put("arguments", "");
                    emitToolCall(call);
                } else if (block.path("type").asText().equals("text") && !block.path("text").asText("").isEmpty()) {
                    emit(NODES.objectNode().put("content", block.path("text").asText()), null);
                }
            }
            case "content_block_delta" -> {
                JsonNode delta = data.path("delta");
                switch (delta.path("type").asText()) {
                    case "text_delta" -> emit(NODES.objectNode().put("content", delta.path("text").asText()), null);
                    case "thinking_delta" -> emit(NODES.objectNode()
                            .put("reasoning_content", delta.path("thinking").asText()), null);
                    case "input_json_delta" -> {
                        Integer index = toolIndex.get(data.path("index").asInt());
                        if (index != null) {
                            ObjectNode call = NODES.objectNode().put("index", index);
                            call.putObject("function").put("arguments", delta.path("partial_json").asText());
                            emitToolCall(call);
                        }
                    }
                    default -> { }
                }
            }
            case "message_delta" -> {
                outputTokens = data.path("usage").path("output_tokens").asLong(outputTokens);
                String stopReason = data.path("delta").path("stop_reason").asText(null);
                if (stopReason != null) {
                    emit(NODES.objectNode(), AnthropicMapper.finishReason(stopReason));
                }
            }
            case AnthropicEvents.MESSAGE_STOP -> {
                if (includeUsage) {
                    enqueue(ChatChunks.usageOnly(id, created, model, AnthropicMapper.usage(startUsage, outputTokens)));
                }
                endStream();
            }
            default -> { }
        }
    }

    private void emitToolCall(ObjectNode call) {
        ObjectNode delta = NODES.objectNode();
        delta.putArray("tool_calls").add(call);
        emit(delta, null);
    }

    private void emit(ObjectNode delta, String finishReason) {
        enqueue(ChatChunks.choice(id, created, model, 0, delta, finishReason));
    }
}
