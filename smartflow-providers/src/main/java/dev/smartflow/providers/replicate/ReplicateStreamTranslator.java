package dev.smartflow.providers.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.providers.UpstreamHttp;
import dev.smartflow.providers.sse.SseCall;
import dev.smartflow.providers.sse.SseDecoder;
import dev.smartflow.providers.sse.UpstreamChunkStream;
import dev.smartflow.providers.translate.ChatChunks;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A prediction's stream ({@code urls.stream}, server-sent events) read as OpenAI {@code chat.completion.chunk}s:
 * <ul>
 *   <li>before the first event: a chunk with {@code role: assistant} and empty content;</li>
 *   <li>{@code output}: its data, the next piece of text, as a content delta (a piece spanning lines arrives as
 *       several {@code data:} lines, joined by line breaks as the format says);</li>
 *   <li>{@code done}: the chunk with {@code finish_reason: stop}, then, when the caller asked for
 *       {@code stream_options.include_usage} or the call is metered, a usage-only chunk with the token counts the
 *       finished prediction reports (read from the prediction itself, since the stream carries none);</li>
 *   <li>{@code error}, or a {@code done} whose {@code reason} is {@code error} or {@code canceled}: an
 *       {@link UpstreamFailure}.</li>
 * </ul>
 * A body that ends before {@code done}, a broken connection or a passed deadline is thrown as an
 * {@link UpstreamFailure} after the call is closed.
 */
final class ReplicateStreamTranslator extends UpstreamChunkStream {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final SseCall upstream;
    private final String provider;
    private final ReplicateErrors errors;
    private final String id;
    private final String model;
    private final long created;
    private final boolean includeUsage;
    /** The finished prediction's usage, fetched once {@code done} arrived; empty when it reports none. */
    private final Supplier<Optional<ObjectNode>> usage;
    private boolean started;

    ReplicateStreamTranslator(SseCall upstream, String provider, ReplicateErrors errors, String id, String model,
                              long created, boolean includeUsage, Supplier<Optional<ObjectNode>> usage) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.errors = Objects.requireNonNull(errors, "errors");
        this.id = Objects.requireNonNull(id, "id");
        this.model = Objects.requireNonNull(model, "model");
        this.created = created;
        this.includeUsage = includeUsage;
        this.usage = Objects.requireNonNull(usage, "usage");
    }

    @Override
    protected void pull() {
        if (upstream.closed()) {
            endStream();
            return;
        }
        if (!started) {
            started = true;
            emit(NODES.objectNode().put("role", "assistant").put("content", ""), null);
            return;
        }
        SseDecoder.Event event = upstream.next();
        if (event == null) {
            upstream.close();
            endStream();
            throw UpstreamFailure.io(provider, "stream ended early", null);
        }
        switch (event.event()) {
            case "output" -> {
                String text = new String(event.data(), StandardCharsets.UTF_8);
                if (!text.isEmpty()) {
                    emit(NODES.objectNode().put("content", text), null);
                }
            }
            case "error" -> {
                UpstreamFailure failure = errors.fromStreamEvent(event.data());
                close();
                throw failure;
            }
            case "done" -> done(event.data());
            default -> { }
        }
    }

    @Override
    protected void closeUpstream() {
        upstream.close();
    }

    private void done(byte[] data) {
        JsonNode json = UpstreamHttp.lenientJson(data);
        String reason = json.path("reason").asText("");
        if (reason.equals("error") || reason.equals("canceled")) {
            close();
            throw UpstreamFailure.io(provider, "prediction " + (reason.equals("error") ? "failed" : "was cancelled")
                    + " mid-stream", null);
        }
        upstream.finish();
        emit(NODES.objectNode(), "stop");
        if (includeUsage) {
            usage.get().ifPresent(u -> enqueue(ChatChunks.usageOnly(id, created, model, u)));
        }
        endStream();
    }

    private void emit(ObjectNode delta, String finishReason) {
        enqueue(ChatChunks.choice(id, created, model, 0, delta, finishReason));
    }
}
