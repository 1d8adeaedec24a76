package dev.smartflow.providers.cohere;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.LlmOperation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.UpstreamHttp;
import dev.smartflow.providers.anthropic.MessagesBridge;
import dev.smartflow.providers.sse.SseCall;
import dev.smartflow.providers.translate.ChatChunks;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * The adapter for Cohere's v2 API ({@code api.cohere.com}), serving the OpenAI surface by translation and Cohere's
 * rerank natively:
 * <ul>
 *   <li>{@link dev.smartflow.core.exchange.Operation#CHAT}: {@code POST /v2/chat}, answered as a
 *       {@code chat.completion}, or for {@code "stream": true} as {@code chat.completion.chunk}s read from Cohere's
 *       events; messages, tools and tool calls, sampling fields, finish reasons and usage are translated both ways
 *       ({@link CohereMapper}, {@link CohereStreamTranslator});</li>
 *   <li>{@link dev.smartflow.core.exchange.Operation#EMBEDDINGS}: {@code POST /v2/embed} with the request's
 *       {@code input_type} ({@code search_document} when it names none), answered in OpenAI's embeddings shape, base64
 *       included;</li>
 *   <li>{@link dev.smartflow.core.exchange.Operation#RERANK}: {@code POST /v2/rerank}, the caller's body forwarded with
 *       the routed model, Cohere's answer ({@code {id, results: [{index, relevance_score}], meta}}) returned as is;
 *       v1's {@code return_documents} is honoured by the adapter, since v2 dropped it;</li>
 *   <li>{@link dev.smartflow.core.exchange.Operation#ANTHROPIC_MESSAGES}: through the OpenAI chat shape
 *       ({@link MessagesBridge});</li>
 *   <li>{@link #models()}: {@code GET /v1/models} (Cohere lists models under v1 only), first page of up to 1000.</li>
 * </ul>
 * Calls carry the configured key as {@code Authorization: Bearer}; the caller's own credentials are never forwarded.
 * The base URL is the host root, defaulting to {@value #DEFAULT_BASE} ({@code COHERE_API_BASE} overrides it, e.g. for
 * a private deployment); the adapter adds {@code /v2/...}.
 *
 * <p>Failures are {@link UpstreamFailure}s with scrubbed messages ({@link CohereErrors}): client errors keep their
 * status (Cohere's 498, a blocked prompt, becomes 400), server errors become a retryable 502, a passed deadline 504;
 * an answer or stream that Cohere ends with {@code ERROR} or {@code TIMEOUT} is a retryable 502 too.
 *
 * <p>Thread-safe; {@link #call} blocks, so run it on a virtual thread. Usually built by
 * {@link dev.smartflow.providers.ProviderRegistry}:
 *
 * <pre>{@code
 * Provider cohere = new CohereProvider(ProviderSettings.of("cohere").withApiKey(key), transport);
 * Response answer = cohere.call(exchange, "command-a-03-2025");
 * }</pre>
 */
public final class CohereProvider implements Provider {
    public static final String DEFAULT_BASE = "https://api.cohere.com";
    private static final Headers JSON_HEADERS = Headers.of("content-type", "application/json");
    private static final Headers SSE_HEADERS = Headers.of("content-type", "text/event-stream");

    private final String name;
    private final ProviderSettings settings;
    private final HttpTransport transport;
    private final HttpUrl base;
    private final InstantSource clock;
    private final CohereErrors errors;

    /**
     * @param settings  the name ({@code cohere}) and configuration
     * @param transport the shared HTTP client and deadline watchdog
     * @throws IllegalArgumentException if the base URL is not an http or https URL, or the key holds characters an
     *                                  HTTP header cannot carry
     */
    public CohereProvider(ProviderSettings settings, HttpTransport transport) {
        this(settings, transport, InstantSource.system());
    }

    CohereProvider(ProviderSettings settings, HttpTransport transport, InstantSource clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.name = settings.name();
        this.base = UpstreamHttp.parseBase(name, settings.apiBase().orElse(DEFAULT_BASE));
        settings.apiKey().ifPresent(key -> UpstreamHttp.requireHeaderSafe(name, key));
        this.errors = new CohereErrors(name, settings.apiKey());
    }

    @Override
    public String name() {
        return name;
    }

    /** True once a key is configured. */
    @Override
    public boolean available() {
        return settings.apiKey().isPresent();
    }

    /** The base URL calls go to. */
    public String apiBase() {
        return base.toString();
    }

    /**
     * @throws InvalidRequest  if the operation is not chat, embeddings, rerank or Messages, the provider has no key, or
     *                         the request cannot be expressed in Cohere's shape
     * @throws UpstreamFailure if the upstream fails, times out or answers garbage
     */
    @Override
    public Response call(Exchange exchange, String model) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(model, "model");
        return switch ((LlmOperation) exchange.operation()) { // providers serve model endpoints only
            case CHAT -> chat(exchange, model);
            case EMBEDDINGS -> embeddings(exchange, model);
            case RERANK -> rerank(exchange, model);
            case ANTHROPIC_MESSAGES -> MessagesBridge.serve(exchange, model, this);
            default -> throw UpstreamHttp.unsupported(name, exchange.operation());
        };
    }

    /**
     * Cohere's model list ({@code GET /v1/models}, first page) as OpenAI model objects.
     *
     * @throws UpstreamFailure if the upstream fails or its answer has no {@code models} list
     */
    @Override
    public List<JsonNode> models() {
        requireAvailable();
        Request request = new Request.Builder()
                .url(base.newBuilder().addPathSegments("v1/models").addQueryParameter("page_size", "1000").build())
                .headers(headers("application/json"))
                .get()
                .build();
        JsonNode list = UpstreamHttp.fetchJson(name, transport, request, settings.timeout(), errors::fromStatus,
                "model list").json().path("models");
        if (!list.isArray()) {
            throw UpstreamFailure.io(name, "model list has no models array", null);
        }
        List<JsonNode> models = new ArrayList<>(list.size());
        for (JsonNode model : list) {
            ObjectNode entry = JsonNodeFactory.instance.objectNode();
            entry.put("id", model.path("name").asText());
            entry.put("object", "model");
            entry.put("created", 0);
            entry.put("owned_by", "cohere");
            models.add(entry);
        }
        return List.copyOf(models);
    }

    @Override
    public String toString() {
        return "CohereProvider[" + settings + "]";
    }

    private Response chat(Exchange exchange, String model) {
        boolean streaming = exchange.streaming();
        Body body = Body.of(CohereMapper.toChatRequest(exchange.body().json(), model, streaming));
        requireAvailable();
        Call call = transport.client().newCall(post("v2/chat", body, streaming));
        Deadline deadline = transport.deadline(call, settings.timeout(), exchange);
        return UpstreamHttp.send(name, call, deadline, errors::fromStatus, response -> {
            long created = clock.instant().getEpochSecond();
            if (streaming && UpstreamHttp.isEventStream(response)) {
                SseCall events = new SseCall(name, call, response, deadline, settings.streamIdleTimeout());
                return new Response.Streamed(200, SSE_HEADERS, new CohereStreamTranslator(events, name, errors, model,
                        created, ChatChunks.usageChunkWanted(exchange)));
            }
            JsonNode answer = UpstreamHttp.readJson(name, response, deadline, "answer").json();
            if (!answer.path("message").isObject()) {
                throw UpstreamFailure.io(name, "answer has no message", null);
            }
            String reason = answer.path("finish_reason").asText("");
            if (CohereMapper.failed(reason)) {
                throw UpstreamFailure.io(name, "answer ended with " + reason, null);
            }
            return new Response.Complete(200, JSON_HEADERS, Body.of(CohereMapper.toChatCompletion(answer, model,
                    created)));
        });
    }

    private Response embeddings(Exchange exchange, String model) {
        JsonNode request = exchange.body().json();
        Body body = Body.of(CohereMapper.toEmbedRequest(request, model));
        requireAvailable();
        boolean base64 = "base64".equals(request.path("encoding_format").asText(""));
        return complete(exchange, "v2/embed", body, "embeddings", answer -> {
            if (!CohereMapper.vectors(answer.json()).isArray()) {
                throw UpstreamFailure.io(name, "embeddings answer has no float vectors", null);
            }
            return Body.of(CohereMapper.toEmbeddings(answer.json(), model, base64));
        });
    }

    private Response rerank(Exchange exchange, String model) {
        Body body = CohereMapper.toRerankRequest(exchange.body(), model);
        requireAvailable();
        return complete(exchange, "v2/rerank", body, "rerank answer", answer -> {
            if (!answer.json().path("results").isArray()) {
                throw UpstreamFailure.io(name, "rerank answer has no results array", null);
            }
            return CohereMapper.toRerankAnswer(answer, exchange.body().json());
        });
    }

    /** A call answered with one JSON body, which {@code translate} turns into the caller's. */
    private Response complete(Exchange exchange, String path, Body body, String what,
                              Function<Body, Body> translate) {
        Call call = transport.client().newCall(post(path, body, false));
        Deadline deadline = transport.deadline(call, settings.timeout(), exchange);
        return UpstreamHttp.send(name, call, deadline, errors::fromStatus, response -> new Response.Complete(200,
                JSON_HEADERS, translate.apply(UpstreamHttp.readJson(name, response, deadline, what))));
    }

    private Request post(String path, Body body, boolean streaming) {
        return new Request.Builder()
                .url(base.newBuilder().addPathSegments(path).build())
                .headers(headers(streaming ? "text/event-stream" : "application/json"))
                .post(UpstreamHttp.json(body))
                .build();
    }

    private okhttp3.Headers headers(String accept) {
        okhttp3.Headers.Builder headers = new okhttp3.Headers.Builder()
                .add("Accept", accept)
                .add("User-Agent", UpstreamHttp.USER_AGENT)
                .add("X-Client-Name", "smartflow");
        settings.apiKey().ifPresent(key -> headers.add("Authorization", "Bearer " + key));
        return headers.build();
    }

    private void requireAvailable() {
        if (!available()) {
            throw new InvalidRequest("provider '" + name + "' is not configured", "provider_not_configured", "model");
        }
    }
}
