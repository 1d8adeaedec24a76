package dev.smartflow.providers.cohere;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.providers.sse.SseCall;
import dev.smartflow.providers.sse.SseDecoder;
import dev.smartflow.providers.sse.UpstreamChunkStream;
import dev.smartflow.providers.translate.ChatChunks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A Cohere v2 chat stream read as OpenAI {@code chat.completion.chunk}s. Every event's data names its {@code type}
 * (the event name repeats it):
 * <ul>
 *   <li>{@code message-start}: the first chunk, {@code role: assistant} and empty content, under Cohere's id;</li>
 *   <li>{@code content-delta}: its {@code text} as {@code content}, its {@code thinking} as
 *       {@code reasoning_content}; {@code tool-plan-delta}: the plan as {@code reasoning_content} too;</li>
 *   <li>{@code tool-call-start}: a {@code tool_calls} delta with the call's index (counted over this stream's calls),
 *       id, type, name and first arguments; {@code tool-call-delta}: the same call's next {@code arguments} fragment,
 *       so that the fragments concatenate to the arguments JSON;</li>
 *   <li>{@code message-end}: the chunk with {@code finish_reason}, then a usage-only chunk ({@code choices: []}) when
 *       the caller asked for {@code stream_options.include_usage} or the call is metered (the cost stage reads it
 *       then, and passes it on only if asked), then the end.</li>
 * </ul>
 * {@code content-start} yields its text if it has any; {@code content-end}, {@code tool-call-end}, citations,
 * {@code debug} and unknown events yield nothing, and a {@code data: [DONE]} after {@code message-end} is read as the
 * end. A {@code message-end} whose finish reason is {@code ERROR} or {@code TIMEOUT}, an error event, a body that ends
 * before {@code message-end}, a broken connection or a passed deadline are thrown as {@link UpstreamFailure} after the
 * call is closed.
 */
final class CohereStreamTranslator extends UpstreamChunkStream {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    private final SseCall upstream;
    private final String provider;
    private final CohereErrors errors;
    private final String model;
    private final long created;
    private final boolean includeUsage;
    /** Cohere's tool call index to ours; they agree unless an event leaves its index out. */
    private final Map<Integer, Integer> toolIndex = new HashMap<>();

    private String id = "";
    private boolean started;
    private boolean finished;

    CohereStreamTranslator(SseCall upstream, String provider, CohereErrors errors, String model, long created,
                           boolean includeUsage) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.errors = Objects.requireNonNull(errors, "errors");
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
        SseDecoder.Event event = upstream.next();
        if (event == null || Arrays.equals(event.data(), DONE)) {
            upstream.close();
            endStream();
            if (!finished) {
                throw UpstreamFailure.io(provider, "stream ended early", null);
            }
            return;
        }
        translate(event);
    }

    @Override
    protected void closeUpstream() {
        upstream.close();
    }

    private void translate(SseDecoder.Event event) {
        JsonNode data;
        try {
            data = Body.MAPPER.readTree(event.data());
        } catch (IOException e) {
            close();
            throw UpstreamFailure.io(provider, "stream event is not JSON", e);
        }
        if (data == null || !data.isObject()) {
            close();
            throw UpstreamFailure.io(provider, "stream event is not a JSON object", null);
        }
        String type = data.path("type").asText(event.event());
        if (type.equals("error") || type.isEmpty() && data.has("message")) {
            UpstreamFailure failure = errors.midStream(errors.message(event.data()));
            close();
            throw failure;
        }
        JsonNode message = data.path("delta").path("message");
        switch (type) {
            case "message-start" -> {
                id = data.path("id").asText(id);
                start();
            }
            case "content-start", "content-delta" -> {
                JsonNode content = message.path("content");
                text("content", content.path("text"));
                text("reasoning_content", content.path("thinking"));
            }
            case "tool-plan-delta" -> text("reasoning_content", message.path("tool_plan"));
            case "tool-call-start" -> {
                JsonNode call = message.path("tool_calls");
                int index = toolIndex.size();
                toolIndex.put(data.path("index").asInt(index), index);
                ObjectNode delta = CohereMapper.toolCall(call.isArray() ? call.path(0) : call);
                ObjectNode indexed = NODES.objectNode().put("index", index);
                indexed.setAll(delta);
                emitToolCall(indexed);
            }
            case "tool-call-delta" -> {
                Integer index = toolIndex.get(data.path("index").asInt(toolIndex.size() - 1));
                JsonNode arguments = message.path("tool_calls").path("function").path("arguments");
                if (index != null && arguments.isTextual() && !arguments.textValue().isEmpty()) {
                    ObjectNode call = NODES.objectNode().put("index", index);
                    call.putObject("function").put("arguments", arguments.textValue());
                    emitToolCall(call);
                }
            }
            case "message-end" -> end(data.path("delta"));
            default -> { }
        }
    }

    private void end(JsonNode delta) {
        String reason = delta.path("finish_reason").asText("");
        if (CohereMapper.failed(reason)) {
            UpstreamFailure failure = errors.midStream(delta.path("error").asText(reason));
            close();
            throw failure;
        }
        start();
        emit(NODES.objectNode(), CohereMapper.finishReason(reason, !toolIndex.isEmpty()));
        if (includeUsage) {
            enqueue(ChatChunks.usageOnly(id, created, model, CohereMapper.usage(delta.path("usage"))));
        }
        finished = true;
        upstream.finish();
        endStream();
    }

    /** The role chunk, once: at {@code message-start}, or before the first chunk of a stream that had none. */
    private void start() {
        if (!started) {
            started = true;
            emit(NODES.objectNode().put("role", "assistant").put("content", ""), null);
        }
    }

    private void text(String field, JsonNode text) {
        if (text.isTextual() && !text.textValue().isEmpty()) {
            start();
            emit(NODES.objectNode().put(field, text.textValue()), null);
        }
    }

    private void emitToolCall(ObjectNode call) {
        start();
        ObjectNode delta = NODES.objectNode();
        delta.putArray("tool_calls").add(call);
        emit(delta, null);
    }

    private void emit(ObjectNode delta, String finishReason) {
        enqueue(ChatChunks.choice(id, created, model, 0, delta, finishReason));
    }
}
