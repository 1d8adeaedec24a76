package dev.smartflow.providers.gemini;

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
import dev.smartflow.providers.Scrubber;
import dev.smartflow.providers.UpstreamHttp;
import dev.smartflow.providers.anthropic.MessagesBridge;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * The adapter for Google's Gemini API ({@code generativelanguage.googleapis.com}, {@code v1beta}), serving the OpenAI
 * surface by translation:
 * <ul>
 *   <li>{@link dev.smartflow.core.exchange.Operation#CHAT}: {@code POST /v1beta/models/{model}:generateContent}, or for
 *       {@code "stream": true} {@code :streamGenerateContent?alt=sse}, answered as a {@code chat.completion} or as
 *       {@code chat.completion.chunk}s; tools, images, finish reasons and usage (cached tokens included) are
 *       translated both ways ({@link GeminiMapper});</li>
 *   <li>{@link dev.smartflow.core.exchange.Operation#EMBEDDINGS}: {@code :batchEmbedContents}, one request per input,
 *       answered in OpenAI's embeddings shape ({@code dimensions} becomes {@code outputDimensionality});</li>
 *   <li>{@link dev.smartflow.core.exchange.Operation#ANTHROPIC_MESSAGES}: through the OpenAI chat shape
 *       ({@link MessagesBridge});</li>
 *   <li>{@link #models()}: {@code GET /v1beta/models} (first page), ids without the {@code models/} prefix.</li>
 * </ul>
 * Calls carry the configured key in the {@code x-goog-api-key} header, never in the URL, so that it cannot reach an
 * access log; the caller's own credentials are never forwarded. The base URL is the host root, defaulting to
 * {@value #DEFAULT_BASE} ({@code GEMINI_API_BASE} overrides it); the adapter adds {@code /v1beta/...}.
 *
 * <p>Available once a key is configured, unless switched off ({@code GEMINI_ENABLED=false} through
 * {@link dev.smartflow.providers.ProviderRegistry}).
 *
 * <p>Failures are {@link UpstreamFailure}s with scrubbed messages ({@link GeminiErrors}): client errors keep their
 * status, server errors become a retryable 502, a passed deadline 504, and an error inside a stream is thrown from the
 * stream.
 *
 * <p>Thread-safe; {@link #call} blocks, so run it on a virtual thread. Usually built by
 * {@link dev.smartflow.providers.ProviderRegistry}:
 *
 * <pre>{@code
 * Provider gemini = new GeminiProvider(ProviderSettings.of("gemini").withApiKey(key), transport, true);
 * Response answer = gemini.call(exchange, "gemini-2.5-flash");
 * }</pre>
 */
public final class GeminiProvider implements Provider {
    public static final String DEFAULT_BASE = "https://generativelanguage.googleapis.com";
    static final String API_VERSION = "v1beta";
    private static final Headers JSON_HEADERS = Headers.of("content-type", "application/json");

    private final String name;
    private final ProviderSettings settings;
    private final HttpTransport transport;
    private final HttpUrl base;
    private final boolean enabled;
    private final GeminiErrors errors;
    private final GeminiProtocol protocol;
    private final GeminiProtocol.Endpoint endpoint;

    /**
     * @param settings  the name ({@code gemini}) and configuration
     * @param transport the shared HTTP client and deadline watchdog
     * @param enabled   false to keep the adapter unavailable even with a key
     * @throws IllegalArgumentException if the base URL is not an http or https URL, or the key holds characters an
     *                                  HTTP header cannot carry
     */
    public GeminiProvider(ProviderSettings settings, HttpTransport transport, boolean enabled) {
        this(settings, transport, enabled, InstantSource.system());
    }

    GeminiProvider(ProviderSettings settings, HttpTransport transport, boolean enabled, InstantSource clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.enabled = enabled;
        this.name = settings.name();
        this.base = UpstreamHttp.parseBase(name, settings.apiBase().orElse(DEFAULT_BASE));
        settings.apiKey().ifPresent(key -> UpstreamHttp.requireHeaderSafe(name, key));
        this.errors = new GeminiErrors(name, new Scrubber(settings.apiKey()));
        this.protocol = new GeminiProtocol(settings, transport, Objects.requireNonNull(clock, "clock"), new Scrubber(settings.apiKey()));
        this.endpoint = new GeminiProtocol.Endpoint() {
            @Override
            public HttpUrl.Builder method(String model, String method) {
                return modelUrl(model, method);
            }

            @Override
            public okhttp3.Headers headers(String accept) {
                return GeminiProvider.this.headers(accept);
            }
        };
    }

    @Override
    public String name() {
        return name;
    }

    /** True once a key is configured and the adapter is not switched off. */
    @Override
    public boolean available() {
        return enabled && settings.apiKey().isPresent();
    }

    /** The base URL calls go to. */
    public String apiBase() {
        return base.toString();
    }

    /**
     * @throws InvalidRequest  if the operation is not chat, embeddings or Messages, the provider is not available, or
     *                         the request cannot be expressed in Gemini's shape
     * @throws UpstreamFailure if the upstream fails, times out or answers garbage
     */
    @Override
    public Response call(Exchange exchange, String model) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(model, "model");
        String upstreamModel = GeminiMapper.upstreamModel(model);
        return switch ((LlmOperation) exchange.operation()) { // providers serve model endpoints only
            case CHAT -> chat(exchange, upstreamModel);
            case EMBEDDINGS -> embeddings(exchange, upstreamModel);
            case ANTHROPIC_MESSAGES -> MessagesBridge.serve(exchange, model, this);
            default -> throw UpstreamHttp.unsupported(name, exchange.operation());
        };
    }

    /**
     * Gemini's model list ({@code GET /v1beta/models}, first page) as OpenAI model objects.
     *
     * @throws UpstreamFailure if the upstream fails or its answer has no {@code models} list
     */
    @Override
    public List<JsonNode> models() {
        requireAvailable();
        Request request = new Request.Builder()
                .url(base.newBuilder().addPathSegment(API_VERSION).addPathSegment("models")
                        .addQueryParameter("pageSize", "1000").build())
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
            entry.put("id", GeminiMapper.upstreamModel(model.path("name").asText()));
            entry.put("object", "model");
            entry.put("created", 0);
            entry.put("owned_by", "google");
            models.add(entry);
        }
        return List.copyOf(models);
    }

    @Override
    public String toString() {
        return "GeminiProvider[" + settings + (enabled ? "" : ", disabled") + "]";
    }

    private Response chat(Exchange exchange, String model) {
        requireAvailable();
        return protocol.chat(exchange, model, endpoint);
    }

    private Response embeddings(Exchange exchange, String model) {
        JsonNode request = exchange.body().json();
        Body body = Body.of(GeminiMapper.toBatchEmbedRequest(request, model));
        requireAvailable();
        boolean base64 = "base64".equals(request.path("encoding_format").asText(""));
        Request httpRequest = new Request.Builder()
                .url(modelUrl(model, "batchEmbedContents").build())
                .headers(headers("application/json"))
                .post(UpstreamHttp.json(body))
                .build();
        Call call = transport.client().newCall(httpRequest);
        Deadline deadline = transport.deadline(call, settings.timeout(), exchange);
        return UpstreamHttp.send(name, call, deadline, errors::fromStatus, response -> {
            JsonNode answer = UpstreamHttp.readJson(name, response, deadline, "embeddings").json();
            if (!answer.path("embeddings").isArray()) {
                throw UpstreamFailure.io(name, "embeddings answer has no embeddings array", null);
            }
            return new Response.Complete(200, JSON_HEADERS, Body.of(GeminiMapper.toEmbeddings(answer, model,
                    base64)));
        });
    }

    /** {@code /v1beta/models/{model}:{method}}; the model is one encoded path segment, whatever it holds. */
    private HttpUrl.Builder modelUrl(String model, String method) {
        return base.newBuilder().addPathSegment(API_VERSION).addPathSegment("models")
                .addPathSegment(model + ":" + method);
    }

    private okhttp3.Headers headers(String accept) {
        okhttp3.Headers.Builder headers = new okhttp3.Headers.Builder()
                .add("Accept", accept)
                .add("User-Agent", UpstreamHttp.USER_AGENT);
        settings.apiKey().ifPresent(key -> headers.add("x-goog-api-key", key));
        return headers.build();
    }

    private void requireAvailable() {
        if (!available()) {
            throw new InvalidRequest("provider '" + name + "' is not configured", "provider_not_configured", "model");
        }
    }
}
