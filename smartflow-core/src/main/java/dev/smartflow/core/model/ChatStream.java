package dev.smartflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Response;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A streamed chat completion: each element is one OpenAI {@code chat.completion.chunk}, read as it arrives. Close it
 * (try-with-resources) unless you read it to the end.
 *
 * <pre>{@code
 * try (ChatStream stream = smartflow.chatStream(request)) {
 *     for (JsonNode chunk : stream) {
 *         System.out.print(ChatStream.delta(chunk));
 *     }
 * }
 * }</pre>
 */
public final class ChatStream implements Iterable<JsonNode>, AutoCloseable {
    private final Headers headers;
    private final ChunkStream chunks;
    private final Supplier<Optional<Cost>> cost;
    private boolean iterated;

    private ChatStream(Headers headers, ChunkStream chunks, Supplier<Optional<Cost>> cost) {
        this.headers = headers;
        this.chunks = chunks;
        this.cost = cost;
    }

    public static ChatStream from(Response.Streamed response) {
        return new ChatStream(response.headers(), response.chunks(), Optional::empty);
    }

    /** A stream whose cost, once it has ended, {@code cost} tells (e.g. a {@code CostMeter}'s). */
    public static ChatStream from(Response.Streamed response, Supplier<Optional<Cost>> cost) {
        return new ChatStream(response.headers(), response.chunks(), Objects.requireNonNull(cost, "cost"));
    }

    /**
     * What the call cost, known once the stream has been read to the end or closed; empty before that, or when the
     * pipeline has no pricing. {@link ChatRequest#streaming()} asks for usage ({@code stream_options.include_usage})
     * unless the request says otherwise; a stream without it costs {@link Cost.Status#NO_USAGE}.
     */
    public Optional<Cost> cost() {
        return cost.get();
    }

    public Headers headers() {
        return headers;
    }

    /** Iterates once; the chunks are not kept. */
    @Override
    public Iterator<JsonNode> iterator() {
        if (iterated) {
            throw new IllegalStateException("a stream can be read once");
        }
        iterated = true;
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return chunks.hasNext();
            }

            @Override
            public JsonNode next() {
                return chunks.next().data().json();
            }
        };
    }

    /** Reads the rest of the stream and joins the text deltas of the first choice. */
    public String text() {
        StringBuilder text = new StringBuilder();
        for (JsonNode chunk : this) {
            text.append(delta(chunk));
        }
        return text.toString();
    }

    /** The text delta of a chunk's first choice, empty if it has none. */
    public static String delta(JsonNode chunk) {
        Objects.requireNonNull(chunk, "chunk");
        JsonNode choice = chunk.path("choices").path(0);
        JsonNode content = choice.path("delta").path("content");
        return content.isTextual() ? content.textValue() : choice.path("text").asText("");
    }

    @Override
    public void close() {
        chunks.close();
    }
}
