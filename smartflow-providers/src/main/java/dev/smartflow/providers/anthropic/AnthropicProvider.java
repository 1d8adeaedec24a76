package dev.smartflow.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.LlmOperation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.Scrubber;
import dev.smartflow.providers.UpstreamHttp;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * The adapter for Anthropic's Messages API ({@code POST /v1/messages}), in both directions:
 * <ul>
 *   <li>{@link dev.smartflow.core.exchange.Operation#CHAT}: the OpenAI chat request is translated to a Messages
 *       request, and the answer back to a {@code chat.completion}, or for {@code "stream": true} to
 *       {@code chat.completion.chunk}s, tool calls and usage (cache reads as {@code cached_tokens}) included;</li>
 *   <li>{@link dev.smartflow.core.exchange.Operation#ANTHROPIC_MESSAGES}: a native Messages request is forwarded as
 *       the caller wrote it (only {@code model} is rewritten when routing changed it), with the caller's
 *       {@code anthropic-version} and {@code anthropic-beta} headers, and the answer comes back untouched: the JSON
 *       body, or every server-sent event with its name;</li>
 *   <li>{@link dev.smartflow.core.exchange.Operation#ANTHROPIC_COUNT_TOKENS}: the same passthrough to
 *       {@code POST /v1/messages/count_tokens}, whose {@code {"input_tokens": n}} comes back untouched.</li>
 * </ul>
 * Calls carry the configured key as {@code x-api-key} and {@code anthropic-version: 2023-06-01} unless the caller
 * named a version; the caller's own credentials are never forwarded. The base URL defaults to
 * {@value #DEFAULT_BASE} ({@code ANTHROPIC_API_BASE} overrides it, without {@code /v1}).
 *
 * <p>Failures are {@link UpstreamFailure}s with scrubbed messages: Anthropic's client errors keep their status,
 * server errors (529 overloaded included) become a retryable 502, a passed deadline 504, and an {@code error} event
 * mid-stream is thrown from the stream.
 *
 * <p>Thread-safe; {@link #call} blocks, so run it on a virtual thread. Usually built by
 * {@link dev.smartflow.providers.ProviderRegistry}:
 *
 * <pre>{@code
 * Provider anthropic = new AnthropicProvider(ProviderSettings.of("anthropic").withApiKey(key), transport);
 * Response answer = anthropic.call(exchange, "claude-sonnet-4-5");
 * }</pre>
 */
public final class AnthropicProvider implements Provider {
    public static final String DEFAULT_BASE = "https://api.anthropic.com";
    public static final String API_VERSION = "2023-06-01";

    private final String name;
    private final ProviderSettings settings;
    private final HttpTransport transport;
    private final HttpUrl base;
    private final AnthropicErrors errors;
    private final AnthropicProtocol protocol;
    private final AnthropicProtocol.Endpoint endpoint;

    /**
     * @param settings  the name ({@code anthropic}) and configuration
     * @param transport the shared HTTP client and deadline watchdog
     * @throws IllegalArgumentException if the base URL is not an http or https URL, or the key holds characters an
     *                                  HTTP header cannot carry
     */
    public AnthropicProvider(ProviderSettings settings, HttpTransport transport) {
        this(settings, transport, InstantSource.system());
    }

    AnthropicProvider(ProviderSettings settings, HttpTransport transport, InstantSource clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.name = settings.name();
        this.base = UpstreamHttp.parseBase(name, settings.apiBase().orElse(DEFAULT_BASE));
        settings.apiKey().ifPresent(key -> UpstreamHttp.requireHeaderSafe(name, key));
        this.errors = new AnthropicErrors(name, new Scrubber(settings.apiKey()));
        this.protocol = new AnthropicProtocol(settings, transport, Objects.requireNonNull(clock, "clock"), new Scrubber(settings.apiKey()));
        this.endpoint = new NativeEndpoint();
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
     * @throws InvalidRequest  if the operation is not chat, Messages or count_tokens, the provider has no key, or the
     *                         chat request cannot be expressed in Anthropic's shape
     * @throws UpstreamFailure if the upstream fails, times out or answers garbage
     */
    @Override
    public Response call(Exchange exchange, String model) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(model, "model");
        if (!(exchange.operation() instanceof LlmOperation operation)
                || !(operation == LlmOperation.CHAT || operation == LlmOperation.ANTHROPIC_MESSAGES
                        || operation == LlmOperation.ANTHROPIC_COUNT_TOKENS)) {
            throw UpstreamHttp.unsupported(name, exchange.operation());
        }
        if (!available()) {
            throw notConfigured();
        }
        return protocol.call(exchange, model, endpoint);
    }

    /**
     * Anthropic's model list ({@code GET /v1/models}, first page) as OpenAI model objects.
     *
     * @throws UpstreamFailure if the upstream fails or its answer has no {@code data} list
     */
    @Override
    public List<JsonNode> models() {
        if (!available()) {
            throw notConfigured();
        }
        Request request = new Request.Builder()
                .url(base.newBuilder().addPathSegments("v1/models").addQueryParameter("limit", "1000").build())
                .headers(baseHeaders("application/json").build())
                .get()
                .build();
        JsonNode data = UpstreamHttp.fetchList(name, transport, request, settings.timeout(), errors::fromStatus,
                "model list");
        List<JsonNode> models = new ArrayList<>(data.size());
        for (JsonNode model : data) {
            ObjectNode entry = JsonNodeFactory.instance.objectNode();
            entry.put("id", model.path("id").asText());
            entry.put("object", "model");
            entry.put("created", epochSeconds(model.path("created_at").asText("")));
            entry.put("owned_by", "anthropic");
            models.add(entry);
        }
        return List.copyOf(models);
    }

    @Override
    public String toString() {
        return "AnthropicProvider[" + settings + "]";
    }

    private InvalidRequest notConfigured() {
        return new InvalidRequest("provider '" + name + "' is not configured", "provider_not_configured", "model");
    }

    /** Anthropic's own API: {@code /v1/messages}, the key as {@code x-api-key}, the version in a header. */
    private final class NativeEndpoint implements AnthropicProtocol.Endpoint {
        @Override
        public HttpUrl url(LlmOperation operation, String model, boolean streaming) {
            String path = operation == LlmOperation.ANTHROPIC_COUNT_TOKENS ? "v1/messages/count_tokens" : "v1/messages";
            return base.newBuilder().addPathSegments(path).build();
        }

        @Override
        public Body body(Body messages, String model) {
            return messages;
        }

        @Override
        public okhttp3.Headers headers(String accept, Exchange exchange, boolean passthrough) {
            okhttp3.Headers.Builder headers = baseHeaders(accept);
            if (passthrough) {
                // A native caller chose its API version and betas; pass them on, checked like any header value.
                exchange.headers().get("anthropic-version").filter(AnthropicProvider::headerSafe)
                        .ifPresent(v -> headers.set("anthropic-version", v));
                exchange.headers().get("anthropic-beta").filter(AnthropicProvider::headerSafe)
                        .ifPresent(v -> headers.set("anthropic-beta", v));
            }
            return headers.build();
        }
    }

    private okhttp3.Headers.Builder baseHeaders(String accept) {
        okhttp3.Headers.Builder headers = new okhttp3.Headers.Builder()
                .add("Accept", accept)
                .add("User-Agent", UpstreamHttp.USER_AGENT)
                .add("anthropic-version", API_VERSION);
        settings.apiKey().ifPresent(key -> headers.add("x-api-key", key));
        return headers;
    }

    private static long epochSeconds(String timestamp) {
        try {
            return Instant.parse(timestamp).getEpochSecond();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    /** True when {@code value} can travel in a header as the caller sent it. */
    public static boolean headerSafe(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
