package dev.smartflow.cache.metacache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * A stored answer served again, in the shape the caller asked for: whole, or as the stream the provider would have
 * sent. An OpenAI stream is {@code chat.completion.chunk} objects (the role, the content in pieces, the finish reason,
 * and the usage chunk when {@code stream_options.include_usage} asked for it; the server adds {@code [DONE]}); an
 * Anthropic stream is its named events, {@code message_start} to {@code message_stop}.
 */
final class Replay {
    /** Content is replayed in pieces of about this many characters, cut after a space where possible. */
    static final int PIECE = 64;

    private Replay() {
    }

    static Response complete(CachedAnswer answer) {
        return new Response.Complete(200, Headers.of("content-type", "application/json"), answer.answer());
    }

    static Response streamed(CachedAnswer answer, boolean includeUsage) {
        List<Chunk> chunks = answer.format() == CachedAnswer.Format.OPENAI
                ? openAi(answer.answer().json(), includeUsage) : anthropic(answer.answer().json());
        return new Response.Streamed(200, Headers.of("content-type", "text/event-stream"), ChunkStream.of(chunks));
    }

    private static List<Chunk> openAi(JsonNode completion, boolean includeUsage) {
        JsonNode choice = completion.path("choices").path(0);
        String content = choice.path("message").path("content").asText("");
        List<Chunk> chunks = new ArrayList<>();
        ObjectNode role = chunk(completion);
        ObjectNode roleDelta = delta(role, null);
        roleDelta.put("role", "assistant");
        roleDelta.put("content", "");
        chunks.add(Chunk.data(Body.of(role)));
        for (String piece : pieces(content)) {
            ObjectNode next = chunk(completion);
            delta(next, null).put("content", piece);
            chunks.add(Chunk.data(Body.of(next)));
        }
        ObjectNode finish = chunk(completion);
        delta(finish, choice.path("finish_reason").asText("stop"));
        chunks.add(Chunk.data(Body.of(finish)));
        if (includeUsage && completion.path("usage").isObject()) {
            ObjectNode usage = chunk(completion);
            usage.putArray("choices");
            usage.set("usage", completion.get("usage").deepCopy());
            chunks.add(Chunk.data(Body.of(usage)));
        }
        return chunks;
    }

    private static ObjectNode chunk(JsonNode completion) {
        ObjectNode chunk = Body.MAPPER.createObjectNode();
        chunk.put("id", completion.path("id").asText("chatcmpl-cached"));
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", completion.path("created").asLong());
        chunk.put("model", completion.path("model").asText(""));
        if (completion.path("system_fingerprint").isTextual()) {
            chunk.put("system_fingerprint", completion.path("system_fingerprint").textValue());
        }
        return chunk;
    }

    /** Adds the one choice with an empty delta and {@code finishReason} (JSON null when null); returns the delta. */
    private static ObjectNode delta(ObjectNode chunk, String finishReason) {
        ArrayNode choices = chunk.putArray("choices");
        ObjectNode choice = choices.addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return delta;
    }

    private static List<Chunk> anthropic(JsonNode message) {
        List<Chunk> chunks = new ArrayList<>();
        ObjectNode start = Body.MAPPER.createObjectNode();
        start.put("type", "message_start");
        ObjectNode opening = message.deepCopy();
        opening.putArray("content");
        opening.putNull("stop_reason");
        opening.putNull("stop_sequence");
        ObjectNode openingUsage = opening.putObject("usage");
        JsonNode usage = message.path("usage");
        openingUsage.put("input_tokens", usage.path("input_tokens").asLong());
        for (String field : new String[] {"cache_creation_input_tokens", "cache_read_input_tokens"}) {
            if (usage.has(field)) {
                openingUsage.set(field, usage.get(field));
            }
        }
        openingUsage.put("output_tokens", 1);
        start.set("message", opening);
        chunks.add(new Chunk("message_start", Body.of(start)));
        int index = 0;
        for (JsonNode block : message.path("content")) {
            ObjectNode blockStart = Body.MAPPER.createObjectNode();
            blockStart.put("type", "content_block_start");
            blockStart.put("index", index);
            blockStart.putObject("content_block").put("type", "text").put("text", "");
            chunks.add(new Chunk("content_block_start", Body.of(blockStart)));
            for (String piece : pieces(block.path("text").asText(""))) {
                ObjectNode delta = Body.MAPPER.createObjectNode();
                delta.put("type", "content_block_delta");
                delta.put("index", index);
                delta.putObject("delta").put("type", "text_delta").put("text", piece);
                chunks.add(new Chunk("content_block_delta", Body.of(delta)));
            }
            ObjectNode blockStop = Body.MAPPER.createObjectNode();
            blockStop.put("type", "content_block_stop");
            blockStop.put("index", index);
            chunks.add(new Chunk("content_block_stop", Body.of(blockStop)));
            index++;
        }
        ObjectNode delta = Body.MAPPER.createObjectNode();
        delta.put("type", "message_delta");
        ObjectNode stop = delta.putObject("delta");
        stop.set("stop_reason", message.path("stop_reason").deepCopy());
        stop.set("stop_sequence", message.hasNonNull("stop_sequence") ? message.get("stop_sequence").deepCopy()
                : Body.MAPPER.nullNode());
        delta.putObject("usage").put("output_tokens", usage.path("output_tokens").asLong());
        chunks.add(new Chunk("message_delta", Body.of(delta)));
        ObjectNode end = Body.MAPPER.createObjectNode();
        end.put("type", "message_stop");
        chunks.add(new Chunk("message_stop", Body.of(end)));
        return chunks;
    }

    /** {@code text} in pieces of about {@link #PIECE} characters, never splitting a surrogate pair. */
    static List<String> pieces(String text) {
        List<String> pieces = new ArrayList<>();
        int from = 0;
        while (from < text.length()) {
            int to = Math.min(text.length(), from + PIECE);
            int space = text.lastIndexOf(' ', to - 1);
            if (to < text.length() && space > from) {
                to = space + 1;
            }
            if (to < text.length() && Character.isHighSurrogate(text.charAt(to - 1))) {
                to++;
            }
            pieces.add(text.substring(from, to));
            from = to;
        }
        return pieces;
    }
}
