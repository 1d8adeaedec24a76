package dev.smartflow.providers.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;

/**
 * The OpenAI {@code chat.completion.chunk}s that the stream translators of other protocols emit: one choice's delta
 * or finish, and the usage-only chunk at the end. Public only so that every protocol package of this module can use
 * it; not an API. Stateless and thread-safe.
 */
public final class ChatChunks {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ChatChunks() {
    }

    /**
     * A chunk carrying {@code delta} for choice {@code index}.
     *
     * @param finishReason the choice's {@code finish_reason}, or {@code null} (written as JSON null) while it goes on
     */
    public static Chunk choice(String id, long created, String model, int index, ObjectNode delta,
                               String finishReason) {
        ObjectNode chunk = header(id, created, model);
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", index);
        choice.set("delta", delta);
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return Chunk.data(Body.of(chunk));
    }

    /** The chunk sent for {@code stream_options.include_usage}: {@code choices: []} and the OpenAI {@code usage}. */
    public static Chunk usageOnly(String id, long created, String model, JsonNode usage) {
        ObjectNode chunk = header(id, created, model);
        chunk.putArray("choices");
        chunk.set("usage", usage);
        return Chunk.data(Body.of(chunk));
    }

    private static ObjectNode header(String id, long created, String model) {
        return NODES.objectNode()
                .put("id", id)
                .put("object", "chat.completion.chunk")
                .put("created", created)
                .put("model", model);
    }
}
