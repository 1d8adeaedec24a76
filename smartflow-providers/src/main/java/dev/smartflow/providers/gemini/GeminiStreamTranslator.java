package dev.smartflow.providers.gemini;

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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
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
 *       caller asked for {@code stream_options.include_usage} or the call is metered (the cost stage reads it then,
 *       and passes it on only if asked).</li>
 * </ul>
 * An event holding {@code error}, a body that ends before any {@code finishReason}, a broken connection or a passed
 * deadline are thrown as {@link UpstreamFailure} after the call is closed.
 */
final class GeminiStreamTranslator extends UpstreamChunkStream {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final SseCall upstream;
    private final String provider;
    private final GeminiErrors errors;
    private final long created;
    private final boolean includeUsage;
    private final Set<Integer> started = new HashSet<>();
    /** Per candidate: the number of tool calls so far, which is the next call's index. */
    private final Map<Integer, Integer> toolCalls = new HashMap<>();

    private String id;
    private String model;
    private JsonNode usage = NODES.objectNode();
    private boolean finished;

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
    protected void pull() {
        if (upstream.closed()) {
            endStream();
            return;
        }
        SseDecoder.Event event = upstream.next();
        if (event == null) {
            end();
        } else {
            translate(event.data());
        }
    }

    @Override
    protected void closeUpstream() {
        upstream.close();
    }

    private void end() {
        upstream.close();
        endStream();
        if (!finished) {
            throw UpstreamFailure.io(provider, "stream ended early", null);
        }
        if (includeUsage) {
            enqueue(ChatChunks.usageOnly(idOrEmpty(), created, model, GeminiMapper.usage(usage)));
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
        enqueue(ChatChunks.choice(idOrEmpty(), created, model, index, delta, finishReason));
    }

    private String idOrEmpty() {
        return id == null ? "" : id;
    }
}
