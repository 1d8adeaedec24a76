package dev.smartflow.providers.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.Exchange;

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

    /** True when the caller's chat request asked for the usage chunk ({@code stream_options.include_usage}). */
    public static boolean callerAskedForUsage(JsonNode chat) {
        JsonNode flag = chat.path("stream_options").path("include_usage");
        return flag.isBoolean() && flag.booleanValue();
    }

    /**
     * True when a translated stream should end with the usage chunk: the caller asked for it, or the exchange is
     * metered, in which case the cost stage reads the chunk and, unasked, keeps it from the caller.
     */
    public static boolean usageChunkWanted(Exchange exchange) {
        return callerAskedForUsage(exchange.body().json()) || exchange.get(CostMeter.KEY).isPresent();
    }

    private static ObjectNode header(String id, long created, String model) {
        return NODES.objectNode()
                .put("id", id)
                .put("object", "chat.completion.chunk")
                .put("created", created)
                .put("model", model);
    }
}
