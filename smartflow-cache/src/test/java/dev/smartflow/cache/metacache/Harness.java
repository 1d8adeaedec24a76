package dev.smartflow.cache.metacache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.Embedder;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.VectorIndex;
import dev.smartflow.providers.ProviderRegistry;
import dev.smartflow.testkit.FakeClock;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * An in-process pipeline with a MetaCache in its cache slot, real provider adapters pointed at a {@link FakeUpstream},
 * the bundled price catalog, a fake clock, and the audit records it made.
 */
final class Harness implements AutoCloseable {
    static final Principal APP_A = Principal.embedded("app-a");
    static final Principal APP_B = Principal.embedded("app-b");

    final FakeUpstream upstream;
    final FakeClock clock;
    final SharedState state;
    final MetaCache cache;
    final Smartflow smartflow;
    final List<AuditRecord> audits = new CopyOnWriteArrayList<>();
    private final boolean ownsState;

    Harness(CacheSettings settings) throws IOException {
        this(settings, null, null, new FakeUpstream(), new FakeClock());
    }

    /** With {@code state} null: a fresh in-memory state; with {@code index} null: the cache's own. */
    Harness(CacheSettings settings, SharedState state, VectorIndex index, FakeUpstream upstream, FakeClock clock) {
        this(settings, state, index, upstream, clock, new WordEmbedder());
    }

    Harness(CacheSettings settings, SharedState state, VectorIndex index, FakeUpstream upstream, FakeClock clock,
            Embedder embedder) {
        this.upstream = upstream;
        this.clock = clock;
        this.ownsState = state == null;
        this.state = state != null ? state : new InMemorySharedState(clock, Runnable::run);
        ProviderRegistry registry = ProviderRegistry.builder().environment(Map.of(
                "OPENAI_API_KEY", "sk-upstream", "OPENAI_API_BASE", upstream.openAiBase(),
                "ANTHROPIC_API_KEY", "sk-ant-upstream", "ANTHROPIC_API_BASE", upstream.anthropicBase())).build();
        MetaCache.Builder builder = MetaCache.builder().state(this.state).embedder(embedder)
                .pricing(registry.catalog()).settings(settings).clock(clock).ticker(clock);
        if (index != null) {
            builder.index(index);
        }
        this.cache = builder.build();
        this.smartflow = Smartflow.builder().resolver(registry).pricing(registry.catalog()).install(cache)
                .addAuditListener(audits::add).build();
    }

    static String chat(String question) {
        return chat(question, o -> o);
    }

    /** A chat request asking {@code question}, changed by {@code edit}. */
    static String chat(String question, UnaryOperator<ObjectNode> edit) {
        ObjectNode body = FakeUpstream.JSON.createObjectNode();
        body.put("model", "gpt-4o-mini");
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", "You are a helpful assistant.");
        messages.addObject().put("role", "user").put("content", question);
        return edit.apply(body).toString();
    }

    static String messages(String question, boolean stream) {
        ObjectNode body = FakeUpstream.JSON.createObjectNode();
        body.put("model", "claude-sonnet-4-5").put("max_tokens", 256).put("stream", stream);
        body.putArray("messages").addObject().put("role", "user").put("content", question);
        return body.toString();
    }

    Response call(String body, String... headers) {
        return call(Operation.CHAT, APP_A, body, headers);
    }

    Response call(Principal principal, String body, String... headers) {
        return call(Operation.CHAT, principal, body, headers);
    }

    Response call(Operation operation, Principal principal, String body, String... headers) {
        Exchange exchange = Exchange.of(operation, Body.json(body), Headers.of(headers)).withPrincipal(principal);
        return smartflow.execute(exchange);
    }

    /** The content of a complete chat answer. */
    static String content(Response response) {
        return ((Response.Complete) response).body().json().path("choices").path(0).path("message").path("content")
                .asText();
    }

    /** Every chunk of a streamed answer, read to its end. */
    static List<Chunk> chunks(Response response) {
        List<Chunk> chunks = new ArrayList<>();
        try (ChunkStream stream = ((Response.Streamed) response).chunks()) {
            stream.forEachRemaining(chunks::add);
        }
        return chunks;
    }

    /** The text an OpenAI stream's chunks add up to. */
    static String streamedText(List<Chunk> chunks) {
        StringBuilder text = new StringBuilder();
        for (Chunk chunk : chunks) {
            for (JsonNode choice : chunk.data().json().path("choices")) {
                text.append(choice.path("delta").path("content").asText(""));
            }
        }
        return text.toString();
    }

    static String header(Response response, String name) {
        return response.headers().get(name).orElse(null);
    }

    @Override
    public void close() {
        smartflow.close();
        cache.close();
        upstream.close();
        if (ownsState) {
            state.close();
        }
    }
}
