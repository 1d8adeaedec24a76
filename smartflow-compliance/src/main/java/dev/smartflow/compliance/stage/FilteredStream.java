package dev.smartflow.compliance.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * A streamed answer with its texts filtered as they pass: each choice's content (OpenAI chat and completions), or each
 * content block's text (Anthropic events), goes through its own {@link AnswerText}. A chunk carries what its text may
 * show now; what is held back goes out with a later chunk of the same text, at the latest with the chunk that ends it
 * (a {@code finish_reason}, a {@code content_block_stop}), or in a chunk of its own when the stream ends first.
 * Chunks without text (the role, usage, pings) pass unchanged and unparsed where possible.
 *
 * <p>Not thread-safe: one reader, as every {@link ChunkStream}.
 */
final class FilteredStream implements ChunkStream {
    enum Shape { CHAT, COMPLETIONS, ANTHROPIC }

    private final ChunkStream upstream;
    private final Shape shape;
    private final Supplier<AnswerText> texts;
    private final Runnable onEnd;
    private final Map<String, AnswerText> open = new LinkedHashMap<>();
    private final ArrayDeque<Chunk> ready = new ArrayDeque<>();
    /** The delta type of each Anthropic content block, for the delta that carries its held text. */
    private final Map<Integer, String> lastType = new LinkedHashMap<>();
    private JsonNode lastOpenAiChunk;
    private boolean ended;

    /**
     * @param texts makes the filter of one text
     * @param onEnd runs once, when the upstream has ended and the rest has been queued
     */
    FilteredStream(ChunkStream upstream, Shape shape, Supplier<AnswerText> texts, Runnable onEnd) {
        this.upstream = upstream;
        this.shape = shape;
        this.texts = texts;
        this.onEnd = onEnd;
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && !ended) {
            if (upstream.hasNext()) {
                Chunk chunk = upstream.next();
                switch (shape) {
                    case CHAT, COMPLETIONS -> openAi(chunk);
                    case ANTHROPIC -> anthropic(chunk);
                }
            } else {
                ended = true;
                flushAll();
                onEnd.run();
            }
        }
        return !ready.isEmpty();
    }

    @Override
    public Chunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.poll();
    }

    @Override
    public void close() {
        upstream.close();
    }

    private void openAi(Chunk chunk) {
        JsonNode json = parsed(chunk);
        if (json == null || !json.path("choices").isArray() || json.path("choices").isEmpty()) {
            ready.add(chunk);
            return;
        }
        lastOpenAiChunk = json;
        String field = shape == Shape.CHAT ? "content" : "text";
        Body edited = chunk.data().edit(copy -> {
            for (JsonNode choice : copy.path("choices")) {
                int index = choice.path("index").asInt();
                ObjectNode holder = (ObjectNode) (shape == Shape.CHAT ? choice.path("delta") : choice);
                if (holder.isMissingNode() || !holder.isObject()) {
                    continue;
                }
                JsonNode text = holder.get(field);
                String out = text != null && text.isTextual() ? text(key(index)).push(text.textValue()) : null;
                if (shape == Shape.CHAT) {
                    for (JsonNode call : holder.path("tool_calls")) {
                        JsonNode function = call.path("function");
                        if (function.path("arguments").isTextual()) {
                            ((ObjectNode) function).put("arguments", text(toolKey(index, call.path("index").asInt()))
                                    .push(function.path("arguments").textValue()));
                        }
                    }
                }
                if (!choice.path("finish_reason").isNull() && !choice.path("finish_reason").isMissingNode()) {
                    String textRest = finish(key(index));
                    if (!textRest.isEmpty()) {
                        out = (out == null ? "" : out) + textRest;
                    }
                    for (String toolKey : openTools(index)) {
                        String rest = finish(toolKey);
                        if (!rest.isEmpty()) {
                            toolDelta(holder, toolIndex(toolKey), rest);
                        }
                    }
                }
                if (out != null) {
                    holder.put(field, out);
                }
            }
        });
        ready.add(new Chunk(chunk.event(), edited));
    }

    private void anthropic(Chunk chunk) {
        String event = chunk.event();
        if (!event.equals("content_block_delta") && !event.equals("content_block_stop")) {
            ready.add(chunk);
            return;
        }
        JsonNode json = parsed(chunk);
        if (json == null) {
            ready.add(chunk);
            return;
        }
        int index = json.path("index").asInt();
        if (event.equals("content_block_stop")) {
            String rest = finish(key(index));
            if (!rest.isEmpty()) {
                ready.add(anthropicDelta(index, rest));
            }
            ready.add(chunk);
            return;
        }
        JsonNode delta = json.path("delta");
        String type = delta.path("type").asText();
        String field = switch (type) {
            case "text_delta" -> "text";
            case "input_json_delta" -> "partial_json";
            default -> null;
        };
        if (field == null || !delta.path(field).isTextual()) {
            ready.add(chunk);
            return;
        }
        String out = text(key(index)).push(delta.path(field).textValue());
        ready.add(new Chunk(event, chunk.data().edit(copy -> ((ObjectNode) copy.path("delta")).put(field, out))));
        lastType.put(index, type);
    }

    private Chunk anthropicDelta(int index, String text) {
        String type = lastType.getOrDefault(index, "text_delta");
        String field = type.equals("input_json_delta") ? "partial_json" : "text";
        ObjectNode data = Body.MAPPER.createObjectNode();
        data.put("type", "content_block_delta").put("index", index);
        data.putObject("delta").put("type", type).put(field, text);
        return new Chunk("content_block_delta", Body.of(data));
    }

    /** The stream ended: what every open text still holds, in chunks of their own. */
    private void flushAll() {
        for (Map.Entry<String, AnswerText> entry : Map.copyOf(open).entrySet()) {
            String rest = entry.getValue().flush();
            open.remove(entry.getKey());
            if (rest.isEmpty()) {
                continue;
            }
            int index = index(entry.getKey());
            if (shape == Shape.ANTHROPIC) {
                ready.add(anthropicDelta(index, rest));
            } else {
                ready.add(Chunk.data(openAiRest(index, entry.getKey(), rest)));
            }
        }
    }

    private Body openAiRest(int index, String key, String rest) {
        ObjectNode data = Body.MAPPER.createObjectNode();
        if (lastOpenAiChunk != null) {
            for (String name : new String[] {"id", "object", "created", "model", "system_fingerprint"}) {
                if (lastOpenAiChunk.has(name)) {
                    data.set(name, lastOpenAiChunk.get(name));
                }
            }
        }
        ArrayNode choices = data.putArray("choices");
        ObjectNode choice = choices.addObject().put("index", index);
        if (shape == Shape.CHAT && key.contains(".tool")) {
            toolDelta(choice.putObject("delta"), toolIndex(key), rest);
        } else if (shape == Shape.CHAT) {
            choice.putObject("delta").put("content", rest);
        } else {
            choice.put("text", rest);
        }
        choice.putNull("finish_reason");
        return Body.of(data);
    }

    /** Flushes and forgets the text {@code key}; empty when it was not open. */
    private String finish(String key) {
        AnswerText text = open.remove(key);
        return text == null ? "" : text.flush();
    }

    private List<String> openTools(int index) {
        String prefix = key(index) + ".tool";
        return open.keySet().stream().filter(name -> name.startsWith(prefix)).toList();
    }

    /** Adds a tool call's held arguments to a delta, as OpenAI streams them: by the call's index. */
    private static void toolDelta(ObjectNode delta, int toolIndex, String arguments) {
        ArrayNode calls = delta.has("tool_calls") && delta.get("tool_calls").isArray()
                ? (ArrayNode) delta.get("tool_calls") : delta.putArray("tool_calls");
        calls.addObject().put("index", toolIndex).putObject("function").put("arguments", arguments);
    }

    private static String toolKey(int choice, int tool) {
        return key(choice) + ".tool" + tool;
    }

    private static int toolIndex(String toolKey) {
        return Integer.parseInt(toolKey.substring(toolKey.indexOf(".tool") + 5));
    }

    private AnswerText text(String key) {
        return open.computeIfAbsent(key, k -> texts.get());
    }

    private static String key(int index) {
        return "c" + index;
    }

    private static int index(String key) {
        int dot = key.indexOf('.');
        return Integer.parseInt(dot < 0 ? key.substring(1) : key.substring(1, dot));
    }

    private static JsonNode parsed(Chunk chunk) {
        try {
            JsonNode json = chunk.data().json();
            return json.isObject() ? json : null;
        } catch (InvalidRequest notJson) {
            return null;
        }
    }
}
