package dev.smartflow.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.BufferedSink;
import okio.BufferedSource;

/**
 * The adapter for Anthropic's Messages API ({@code POST /v1/messages}), in both directions:
 * <ul>
 *   <li>{@link dev.smartflow.core.exchange.Operation#CHAT}: the OpenAI chat request is translated to a Messages
 *       request, and the answer back to a {@code chat.completion}, or for {@code "stream": true} to
 *       {@code chat.completion.chunk}s, tool calls and usage (cache reads as {@code cached_tokens}) included;</li>
 *   <li>{@link dev.smartflow.core.exchange.Operation#ANTHROPIC_MESSAGES}: a native Messages request is forwarded as
 *       the caller wrote it (only {@code model} is rewritten when routing changed it), with the caller's
 *       {@code anthropic-version} and {@code anthropic-beta} headers, and the answer comes back untouched: the JSON
 *       body, or every server-sent event with its name.</li>
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
    static final String USER_AGENT = "smartflow/0.1";
    static final int MAX_ERROR_BYTES = 64 * 1024;

    private static final MediaType JSON = MediaType.get("application/json");
    private static final Headers JSON_HEADERS = Headers.of("content-type", "application/json");
    private static final Headers SSE_HEADERS = Headers.of("content-type", "text/event-stream");

    private final String name;
    private final ProviderSettings settings;
    private final HttpTransport transport;
    private final HttpUrl base;
    private final InstantSource clock;
    private final AnthropicErrors errors;

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
        this.clock = Objects.requireNonNull(clock, "clock");
        this.name = settings.name();
        String text = settings.apiBase().orElse(DEFAULT_BASE);
        HttpUrl url = HttpUrl.parse(text);
        if (url == null) {
            throw new IllegalArgumentException("provider '" + name + "': the API base is not an http or https URL");
        }
        this.base = url;
        settings.apiKey().ifPresent(this::checkHeaderSafe);
        this.errors = new AnthropicErrors(name, settings.apiKey());
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
     * @throws InvalidRequest  if the operation is neither chat nor Messages, the provider has no key, or the chat
     *                         request cannot be expressed in Anthropic's shape
     * @throws UpstreamFailure if the upstream fails, times out or answers garbage
     */
    @Override
    public Response call(Exchange exchange, String model) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(model, "model");
        String upstreamModel = AnthropicMapper.upstreamModel(model);
        boolean streaming = exchange.streaming();
        Body body;
        boolean translate;
        switch (exchange.operation()) {
            case CHAT -> {
                body = Body.of(AnthropicMapper.toMessagesRequest(exchange.body().json(), upstreamModel));
                translate = true;
            }
            case ANTHROPIC_MESSAGES -> {
                body = withModel(exchange.body(), upstreamModel);
                translate = false;
            }
            default -> throw new InvalidRequest("provider '" + name + "' does not serve " + exchange.operation(),
                    "unsupported_operation", null);
        }
        if (!available()) {
            throw notConfigured();
        }
        Request request = new Request.Builder()
                .url(base.newBuilder().addPathSegments("v1/messages").build())
                .headers(requestHeaders(exchange, translate, streaming))
                .post(new JsonRequestBody(body))
                .build();
        Call call = transport.client().newCall(request);
        Deadline deadline = transport.deadline(call, settings.timeout());
        okhttp3.Response response;
        try {
            response = call.execute();
        } catch (IOException e) {
            deadline.close();
            throw failure(e, deadline, "cannot reach the upstream");
        }
        boolean handedOver = false;
        try {
            if (!response.isSuccessful()) {
                throw errors.fromStatus(response.code(), errorBody(response));
            }
            long created = clock.instant().getEpochSecond();
            if (streaming && isEventStream(response)) {
                AnthropicEvents events = new AnthropicEvents(name, call, response, deadline,
                        settings.streamIdleTimeout(), errors);
                Response streamed = new Response.Streamed(200, SSE_HEADERS, translate
                        ? new AnthropicStreamTranslator(events, name, upstreamModel, created, includeUsage(exchange))
                        : new AnthropicEventStream(events));
                handedOver = true;
                return streamed;
            }
            Body answer = jsonBody(response, deadline, "answer");
            if (translate) {
                answer = Body.of(AnthropicMapper.toChatCompletion(answer.json(), created));
            }
            return new Response.Complete(200, JSON_HEADERS, answer);
        } finally {
            if (!handedOver) {
                response.close();
                deadline.close();
            }
        }
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
        Call call = transport.client().newCall(request);
        try (Deadline deadline = transport.deadline(call, settings.timeout())) {
            try (okhttp3.Response response = call.execute()) {
                if (!response.isSuccessful()) {
                    throw errors.fromStatus(response.code(), errorBody(response));
                }
                JsonNode data = jsonBody(response, deadline, "model list").json().path("data");
                if (!data.isArray()) {
                    throw UpstreamFailure.io(name, "model list has no data array", null);
                }
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
            } catch (IOException e) {
                throw failure(e, deadline, "cannot reach the upstream");
            }
        }
    }

    @Override
    public String toString() {
        return "AnthropicProvider[" + settings + "]";
    }

    private InvalidRequest notConfigured() {
        return new InvalidRequest("provider '" + name + "' is not configured", "provider_not_configured", "model");
    }

    private okhttp3.Headers requestHeaders(Exchange exchange, boolean translate, boolean streaming) {
        okhttp3.Headers.Builder headers = baseHeaders(streaming ? "text/event-stream" : "application/json");
        if (!translate) {
            // A native caller chose its API version and betas; pass them on, checked like any header value.
            exchange.headers().get("anthropic-version").filter(AnthropicProvider::headerSafe)
                    .ifPresent(v -> headers.set("anthropic-version", v));
            exchange.headers().get("anthropic-beta").filter(AnthropicProvider::headerSafe)
                    .ifPresent(v -> headers.set("anthropic-beta", v));
        }
        return headers.build();
    }

    private okhttp3.Headers.Builder baseHeaders(String accept) {
        okhttp3.Headers.Builder headers = new okhttp3.Headers.Builder()
                .add("Accept", accept)
                .add("User-Agent", USER_AGENT)
                .add("anthropic-version", API_VERSION);
        settings.apiKey().ifPresent(key -> headers.add("x-api-key", key));
        return headers;
    }

    private static boolean includeUsage(Exchange exchange) {
        JsonNode flag = exchange.body().json().path("stream_options").path("include_usage");
        return flag.isBoolean() && flag.booleanValue();
    }

    /** The body as sent, or a copy with {@code model} replaced when routing changed the name. */
    private static Body withModel(Body body, String model) {
        if (body.text("model").filter(model::equals).isPresent()) {
            return body;
        }
        return body.edit(o -> o.put("model", model));
    }

    private Body jsonBody(okhttp3.Response response, Deadline deadline, String what) {
        byte[] bytes;
        try {
            bytes = response.body().bytes();
        } catch (IOException e) {
            throw failure(e, deadline, "connection lost while reading the " + what);
        }
        Body body = Body.wrap(bytes);
        try {
            if (body.json().isMissingNode()) {
                throw UpstreamFailure.io(name, what + " is empty", null);
            }
        } catch (InvalidRequest e) {
            throw UpstreamFailure.io(name, what + " is not JSON", e);
        }
        return body;
    }

    private static byte[] errorBody(okhttp3.Response response) {
        try {
            BufferedSource source = response.body().source();
            source.request(MAX_ERROR_BYTES);
            return source.readByteArray(Math.min(source.getBuffer().size(), MAX_ERROR_BYTES));
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private UpstreamFailure failure(IOException e, Deadline deadline, String what) {
        if (deadline.expired() || e instanceof SocketTimeoutException) {
            return UpstreamFailure.timeout(name, e);
        }
        return UpstreamFailure.io(name, what, e);
    }

    private static boolean isEventStream(okhttp3.Response response) {
        String type = response.header("Content-Type");
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
    }

    private static long epochSeconds(String timestamp) {
        try {
            return Instant.parse(timestamp).getEpochSecond();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    private static boolean headerSafe(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private void checkHeaderSafe(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("provider '" + name + "': the API key has a character at index " + i
                        + " that an HTTP header cannot carry");
            }
        }
    }

    /** Streams the body's bytes without copying them; repeatable, so OkHttp may retry on a stale connection. */
    private static final class JsonRequestBody extends RequestBody {
        private final Body body;

        JsonRequestBody(Body body) {
            this.body = body;
        }

        @Override
        public MediaType contentType() {
            return JSON;
        }

        @Override
        public long contentLength() {
            return body.length();
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            body.writeTo(sink.outputStream());
        }
    }
}
