package dev.smartflow.providers.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.providers.sse.UpstreamChunkStream;
import dev.smartflow.providers.translate.ChatChunks;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A Bedrock {@code converse-stream} answer read as OpenAI {@code chat.completion.chunk}s. Each event-stream message
 * with {@code :message-type: event} carries one event, named by {@code :event-type}, its JSON as the payload:
 * <ul>
 *   <li>{@code messageStart}: the first chunk, with {@code role: assistant} and empty content;</li>
 *   <li>{@code contentBlockStart} of a {@code toolUse}: a {@code tool_calls} delta with the call's index (counted over
 *       tool calls only), id, name and empty arguments;</li>
 *   <li>{@code contentBlockDelta}: {@code text} as content, {@code toolUse.input} as the same call's next
 *       {@code arguments} fragment, {@code reasoningContent.text} as {@code reasoning_content};</li>
 *   <li>{@code messageStop}: the chunk with {@code finish_reason};</li>
 *   <li>{@code metadata} (the last event): its usage, sent as a usage-only chunk ({@code choices: []}) when the
 *       caller asked for {@code stream_options.include_usage} or the call is metered.</li>
 * </ul>
 * {@code contentBlockStop} and unknown events yield nothing. A message with {@code :message-type: exception} is
 * thrown as Bedrock's error ({@link BedrockErrors}); so are a body that ends before {@code messageStop}, a corrupt
 * frame, a broken connection and a passed deadline, each after the call is closed.
 */
final class BedrockStreamTranslator extends UpstreamChunkStream {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final EventStreamCall upstream;
    private final String provider;
    private final BedrockErrors errors;
    private final String id;
    private final String model;
    private final long created;
    private final boolean includeUsage;
    /** Converse's content block index to the OpenAI tool call index, for toolUse blocks only. */
    private final Map<Integer, Integer> toolIndex = new HashMap<>();
    private boolean stopped;
    private boolean usageSent;

    BedrockStreamTranslator(EventStreamCall upstream, String provider, BedrockErrors errors, String id, String model,
                            long created, boolean includeUsage) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.errors = Objects.requireNonNull(errors, "errors");
        this.id = Objects.requireNonNull(id, "id");
        this.model = Objects.requireNonNull(model, "model");
        this.created = created;
        this.includeUsage = includeUsage;
    }

    @Override
    protected void pull() {
        if (upstream.closed()) {
            endStream();
            return;
        }
        EventStreamDecoder.Message message = upstream.next();
        if (message == null) {
            upstream.close();
            endStream();
            if (!stopped) {
                throw UpstreamFailure.io(provider, "stream ended early", null);
            }
            return;
        }
        String messageType = message.header(":message-type");
        if (messageType.equals("exception") || messageType.equals("error")) {
            String type = messageType.equals("exception") ? message.header(":exception-type")
                    : message.header(":error-code");
            UpstreamFailure failure = errors.fromStreamException(type, message.payload());
            close();
            throw failure;
        }
        if (messageType.equals("event")) {
            translate(message.header(":event-type"), message.payload());
        }
    }

    @Override
    protected void closeUpstream() {
        upstream.close();
    }

    private void translate(String type, byte[] payload) {
        JsonNode data;
        try {
            data = Body.MAPPER.readTree(payload);
        } catch (IOException e) {
            close();
            throw UpstreamFailure.io(provider, "stream event is not JSON", e);
        }
        if (data == null || !data.isObject()) {
            close();
            throw UpstreamFailure.io(provider, "stream event is not a JSON object", null);
        }
        switch (type) {
            case "messageStart" -> emit(NODES.objectNode().put("role", "assistant").put("content", ""), null);
            case "contentBlockStart" -> {
                JsonNode use = data.path("start").path("toolUse");
                if (use.isObject()) {
                    int index = toolIndex.size();
                    toolIndex.put(data.path("contentBlockIndex").asInt(), index);
                    ObjectNode call = NODES.objectNode().put("index", index)
                            .put("id", use.path("toolUseId").asText())
                            .put("type", "function");
                    call.putObject("function").put("name", use.path("name").asText()).put("arguments", "");
                    emitToolCall(call);
                }
            }
            case "contentBlockDelta" -> {
                JsonNode delta = data.path("delta");
                if (delta.path("text").isTextual()) {
                    emit(NODES.objectNode().put("content", delta.path("text").textValue()), null);
                } else if (delta.path("toolUse").path("input").isTextual()) {
                    Integer index = toolIndex.get(data.path("contentBlockIndex").asInt());
                    if (index != null) {
                        ObjectNode call = NODES.objectNode().put("index", index);
                        call.putObject("function").put("arguments", delta.path("toolUse").path("input").textValue());
                        emitToolCall(call);
                    }
                } else if (delta.path("reasoningContent").path("text").isTextual()) {
                    emit(NODES.objectNode().put("reasoning_content",
                            delta.path("reasoningContent").path("text").textValue()), null);
                }
            }
            case "messageStop" -> {
                stopped = true;
                emit(NODES.objectNode(), BedrockMapper.finishReason(data.path("stopReason").asText(null)));
            }
            case "metadata" -> {
                if (includeUsage && !usageSent && data.path("usage").isObject()) {
                    usageSent = true;
                    enqueue(ChatChunks.usageOnly(id, created, model, BedrockMapper.usage(data.path("usage"))));
                }
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
