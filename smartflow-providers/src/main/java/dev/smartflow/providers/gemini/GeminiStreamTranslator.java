package dev.smartflow.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.providers.sse.SseCall;
import dev.smartflow.providers.sse.SseDecoder;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * A Gemini {@code streamGenerateContent?alt=sse} stream read as OpenAI {@code chat.completion.chunk}s. Every event's
 * data is a whole {@code GenerateContentResponse} holding the next piece of each candidate; there are no event names
 * and no terminal event: the body ends after the event that carries {@code finishReason}.
 * <ul>
 *   <li>the first time a candidate appears: a chunk with {@code role: assistant} and empty content;</li>
 *   <li>text parts: {@code content} deltas ({@code thought} parts as {@code reasoning_content});</li>
 *   <li>{@code functionCall} parts: one whole {@code tool_calls} delta each (Gemini sends calls complete), with the
 *       call's index, a generated id, the name and the arguments JSON;</li>
 *   <li>{@code finishReason}: the chunk with {@code finish_reason};</li>
 *   <li>the end of the body: a usage-only chunk ({@code choices: []}) from the last {@code usageMetadata} when the
 *       caller asked for {@code stream_options.include_usage}.</li>
 * </ul>
 * An event holding {@code error}, a body that ends before any {@code finishReason}, a broken connection or a passed
 * deadline are thrown as {@link UpstreamFailure} after the call is closed.
 */
final class GeminiStreamTranslator implements ChunkStream {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final SseCall upstream;
    private final String provider;
    private final GeminiErrors errors;
    private final long created;
    private final boolean includeUsage;
    private final ArrayDeque<Chunk> ready = new ArrayDeque<>(4);
    private final Set<Integer> started = new HashSet<>();
    /** Per candidate: the number of tool calls so far, which is the next call's index. */
    private final Map<Integer, Integer> toolCalls = new HashMap<>();

    private String id;
    private String model;
    private JsonNode usage = NODES.objectNode();
    private boolean finished;
    private boolean done;

    GeminiStreamTranslator(SseCall upstream, String provider, GeminiErrors errors, String model, long created,
                           boolean includeUsage) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.errors = Objects.requireNonNull(errors, "errors");
        this.model = Objects.requireNonNull(model, "model");
        this.created = created;
        this.includeUsage = includeUsage;
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && !done) {
            if (upstream.closed()) {
                done = true;
                break;
            }
            SseDecoder.Event event = upstream.next();
            if (event == null) {
                end();
            } else {
                translate(event.data());
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
        done = true;
        upstream.close();
    }

    private void end() {
        upstream.close();
        done = true;
        if (!finished) {
            throw UpstreamFailure.io(provider, "stream ended early", null);
        }
        if (includeUsage) {
            ObjectNode chunk = base();
            chunk.putArray("choices");
            chunk.set("usage", GeminiMapper.usage(usage));
            ready.add(Chunk.data(Body.of(chunk)));
        }
    }

    private void translate(byte[] data) {
        JsonNode response;
        try {
            response = Body.MAPPER.readTree(data);
        } catch (IOException e) {
            close();
            throw UpstreamFailure.io(provider, "stream event is not JSON", e);
        }
        if (response == null || response.has("error")) {
            UpstreamFailure failure = response == null ? UpstreamFailure.io(provider, "stream event is empty", null)
                    : errors.fromStreamEvent(data);
            close();
            throw failure;
        }
        if (id == null) {
            id = GeminiMapper.completionId(response);
        }
        model = response.path("modelVersion").asText(model);
        if (response.path("usageMetadata").isObject()) {
            usage = response.path("usageMetadata");
        }
        JsonNode candidates = response.path("candidates");
        for (int i = 0; i < candidates.size(); i++) {
            candidate(candidates.get(i), candidates.get(i).path("index").asInt(i));
        }
        if (candidates.isEmpty() && response.path("promptFeedback").has("blockReason")) {
            start(0);
            emit(0, NODES.objectNode(), "content_filter");
            finished = true;
        }
    }

    private void candidate(JsonNode candidate, int index) {
        start(index);
        for (JsonNode part : candidate.path("content").path("parts")) {
            if (part.path("functionCall").isObject()) {
                int callIndex = toolCalls.merge(index, 1, Integer::sum) - 1;
                ObjectNode call = GeminiMapper.toolCall(part);
                ObjectNode indexed = NODES.objectNode().put("index", callIndex);
                indexed.setAll(call);
                ObjectNode delta = NODES.objectNode();
                delta.putArray("tool_calls").add(indexed);
                emit(index, delta, null);
            } else if (part.path("text").isTextual() && !part.path("text").textValue().isEmpty()) {
                String field = part.path("thought").asBoolean(false) ? "reasoning_content" : "content";
                emit(index, NODES.objectNode().put(field, part.path("text").textValue()), null);
            }
        }
        String reason = candidate.path("finishReason").asText("");
        if (!reason.isEmpty() && !reason.equals("FINISH_REASON_UNSPECIFIED")) {
            emit(index, NODES.objectNode(), GeminiMapper.finishReason(reason, toolCalls.containsKey(index)));
            finished = true;
        }
    }

    private void start(int index) {
        if (started.add(index)) {
            emit(index, NODES.objectNode().put("role", "assistant").put("content", ""), null);
        }
    }

    private void emit(int index, ObjectNode delta, String finishReason) {
        ObjectNode chunk = base();
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", index);
        choice.set("delta", delta);
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        ready.add(Chunk.data(Body.of(chunk)));
    }

    private ObjectNode base() {
        return NODES.objectNode()
                .put("id", id == null ? "" : id)
                .put("object", "chat.completion.chunk")
                .put("created", created)
                .put("model", model);
    }
}
