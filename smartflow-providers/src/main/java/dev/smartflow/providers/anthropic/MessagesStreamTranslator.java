package dev.smartflow.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.providers.sse.UpstreamChunkStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An OpenAI chat stream read as Anthropic Messages events, for {@link MessagesBridge}: {@code message_start} with the
 * first chunk; a text block opened by the first content and fed {@code text_delta}s; one {@code tool_use} block per
 * tool call, opened when the call's id and name arrive and fed its argument fragments as {@code input_json_delta}s;
 * and at the end of the chat stream (after its usage chunk, which the bridge asks for) the open block's
 * {@code content_block_stop}, {@code message_delta} with the stop reason and usage, and {@code message_stop}.
 * Upstream failures pass through as thrown {@link UpstreamFailure}s.
 */
final class MessagesStreamTranslator extends UpstreamChunkStream {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ChunkStream chat;
    private final String provider;
    /** OpenAI's tool call index to the Anthropic content block index. */
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();

    private boolean started;
    private int openBlock = -1;
    private boolean openIsText;
    private int blocks;
    private String stopReason = "end_turn";
    private JsonNode usage = NODES.objectNode();

    MessagesStreamTranslator(ChunkStream chat, String provider) {
        this.chat = Objects.requireNonNull(chat, "chat");
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    @Override
    protected void pull() {
        if (chat.hasNext()) {
            translate(chat.next());
        } else {
            finish();
        }
    }

    @Override
    protected void closeUpstream() {
        chat.close();
    }

    private void translate(Chunk chunk) {
        JsonNode data;
        try {
            data = chunk.data().json();
        } catch (InvalidRequest e) {
            close();
            throw UpstreamFailure.io(provider, "stream chunk is not JSON", e);
        }
        if (!started) {
            started = true;
            ObjectNode message = NODES.objectNode()
                    .put("id", data.path("id").asText(""))
                    .put("type", "message")
                    .put("role", "assistant")
                    .put("model", data.path("model").asText(""));
            message.putArray("content");
            message.putNull("stop_reason");
            message.putNull("stop_sequence");
            message.putObject("usage").put("input_tokens", 0).put("output_tokens", 0);
            ObjectNode event = NODES.objectNode().put("type", "message_start");
            event.set("message", message);
            emit("message_start", event);
        }
        if (data.path("usage").isObject()) {
            usage = data.path("usage");
        }
        JsonNode choice = data.path("choices").path(0);
        JsonNode delta = choice.path("delta");
        String text = delta.path("content").asText("");
        if (!text.isEmpty()) {
            if (openBlock < 0 || !openIsText) {
                ObjectNode block = NODES.objectNode().put("type", "text").put("text", "");
                open(block, true);
            }
            ObjectNode textDelta = NODES.objectNode().put("type", "text_delta").put("text", text);
            emitDelta(openBlock, textDelta);
        }
        for (JsonNode call : delta.path("tool_calls")) {
            int index = call.path("index").asInt(0);
            Integer block = toolBlocks.get(index);
            if (block == null) {
                ObjectNode toolUse = NODES.objectNode()
                        .put("type", "tool_use")
                        .put("id", call.path("id").asText(""))
                        .put("name", call.path("function").path("name").asText(""));
                toolUse.putObject("input");
                block = open(toolUse, false);
                toolBlocks.put(index, block);
            }
            String arguments = call.path("function").path("arguments").asText("");
            if (!arguments.isEmpty()) {
                emitDelta(block, NODES.objectNode().put("type", "input_json_delta").put("partial_json", arguments));
            }
        }
        String finishReason = choice.path("finish_reason").asText(null);
        if (finishReason != null) {
            stopReason = MessagesBridge.stopReason(finishReason);
        }
    }

    private void finish() {
        endStream();
        if (!started) {
            throw UpstreamFailure.io(provider, "stream ended before its first chunk", null);
        }
        closeOpenBlock();
        long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
        ObjectNode event = NODES.objectNode().put("type", "message_delta");
        event.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
        event.putObject("usage")
                .put("input_tokens", Math.max(0, usage.path("prompt_tokens").asLong(0) - cached))
                .put("cache_read_input_tokens", cached)
                .put("output_tokens", usage.path("completion_tokens").asLong(0));
        emit("message_delta", event);
        emit("message_stop", NODES.objectNode().put("type", "message_stop"));
    }

    private int open(ObjectNode block, boolean text) {
        closeOpenBlock();
        openBlock = blocks++;
        openIsText = text;
        ObjectNode event = NODES.objectNode().put("type", "content_block_start").put("index", openBlock);
        event.set("content_block", block);
        emit("content_block_start", event);
        return openBlock;
    }

    private void closeOpenBlock() {
        if (openBlock >= 0) {
            emit("content_block_stop", NODES.objectNode().put("type", "content_block_stop").put("index", openBlock));
            openBlock = -1;
        }
    }

    private void emitDelta(int index, ObjectNode delta) {
        ObjectNode event = NODES.objectNode().put("type", "content_block_delta").put("index", index);
        event.set("delta", delta);
        emit("content_block_delta", event);
    }

    private void emit(String name, ObjectNode data) {
        enqueue(new Chunk(name, Body.of(data)));
    }
}
