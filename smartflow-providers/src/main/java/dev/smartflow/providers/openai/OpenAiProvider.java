package dev.smartflow.providers.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.LlmOperation;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.Upload;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.UpstreamBytes;
import dev.smartflow.providers.UpstreamHttp;
import dev.smartflow.providers.anthropic.MessagesBridge;
import dev.smartflow.providers.translate.ChatChunks;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MultipartBody;
import okhttp3.Request;

/**
 * The adapter for OpenAI and every API that speaks its wire protocol: Azure OpenAI, xAI, Mistral, Groq, OpenRouter,
 * Together, Fireworks, Perplexity, NVIDIA NIM, Hugging Face, Novita, Vercel AI Gateway, DeepInfra, Ollama, and any
 * other compatible server given a base URL.
 *
 * <p>The caller's body is forwarded byte for byte (unknown fields, tools and multimodal parts included); only
 * {@code model} is rewritten when the routed name differs. Answers come back as OpenAI sends them: a JSON body, or for
 * {@code "stream": true} a {@link Response.Streamed} of the upstream's server-sent events, chunk by chunk. The caller's
 * own headers, {@code Authorization} above all, are never forwarded.
 *
 * <p>One exception to the untouched body: a streamed chat call that is metered (a
 * {@link dev.smartflow.core.cost.CostMeter} on the exchange) and did not ask for
 * {@code stream_options.include_usage} asks for it anyway, where the vendor takes the field (OpenAI, Azure, xAI, Groq,
 * OpenRouter, Together, Fireworks, DeepInfra; not Mistral, which rejects it but sends usage unasked, nor servers a
 * deployment declares itself). Without that last chunk the stream could not be priced and a budget would settle it at
 * its worst case; the cost stage reads the chunk and keeps it from the caller, who sees the stream it asked for.
 *
 * <p>Failures are {@link UpstreamFailure}s: the upstream's client errors keep their status, server errors, broken
 * connections and unreadable answers become 502, and a passed deadline 504. Messages are scrubbed of keys.
 *
 * <p>Thread-safe; {@link #call} blocks, so run it on a virtual thread. Usually built by
 * {@link dev.smartflow.providers.ProviderRegistry}:
 *
 * <pre>{@code
 * Provider groq = new OpenAiProvider(ProviderSettings.of("groq").withApiKey(key), transport);
 * Response answer = groq.call(exchange, "llama-3.3-70b-versatile");
 * }</pre>
 */
public final class OpenAiProvider implements Provider {
    private static final Headers JSON_HEADERS = Headers.of("content-type", "application/json");
    private static final Headers SSE_HEADERS = Headers.of("content-type", "text/event-stream");

    private final String name;
    private final OpenAiVendor vendor;
    private final ProviderSettings settings;
    private final HttpTransport transport;
    private final Optional<HttpUrl> base;
    private final String apiVersion;
    private final boolean available;
    private final okhttp3.Headers jsonRequestHeaders;
    private final okhttp3.Headers streamRequestHeaders;
    private final okhttp3.Headers audioRequestHeaders;
    private final okhttp3.Headers anyRequestHeaders;
    private final OpenAiErrors errors;

    /**
     * @param settings  the vendor's name and configuration; the name picks the default base URL and dialect
     * @param transport the shared HTTP client and deadline watchdog
     * @throws IllegalArgumentException if the base URL is not an http or https URL, or the key holds characters an
     *                                  HTTP header cannot carry
     */
    public OpenAiProvider(ProviderSettings settings, HttpTransport transport) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.name = settings.name();
        this.vendor = OpenAiVendor.named(name);
        this.base = settings.apiBase().or(vendor::defaultBase).map(text -> UpstreamHttp.parseBase(name, text));
        this.apiVersion = settings.apiVersion().orElse(OpenAiVendor.AZURE_DEFAULT_API_VERSION);
        settings.apiKey().ifPresent(key -> UpstreamHttp.requireHeaderSafe(name, key));
        this.available = base.isPresent() && (settings.apiKey().isPresent() || !vendor.needsKey());
        this.jsonRequestHeaders = requestHeaders("application/json");
        this.streamRequestHeaders = requestHeaders("text/event-stream");
        this.audioRequestHeaders = requestHeaders("audio/*, application/octet-stream");
        this.anyRequestHeaders = requestHeaders("*/*");
        this.errors = new OpenAiErrors(name, settings.apiKey());
    }

    /** The routing names of the vendors this adapter knows, OpenAI first. */
    public static List<String> vendors() {
        return OpenAiVendor.ALL.stream().map(OpenAiVendor::name).toList();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean available() {
        return available;
    }

    /** The base URL calls go to: the configured one or the vendor's default; empty when there is neither. */
    public Optional<String> apiBase() {
        return base.map(HttpUrl::toString);
    }

    /**
     * @throws InvalidRequest   if the operation has no OpenAI endpoint, or this provider is not configured
     * @throws UpstreamFailure  if the upstream fails, times out or answers garbage
     */
    @Override
    public Response call(Exchange exchange, String model) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(model, "model");
        if (exchange.operation() == Operation.ANTHROPIC_MESSAGES) {
            // An Anthropic client asked for a model this provider serves: translate there and back.
            return MessagesBridge.serve(exchange, model, this);
        }
        if (exchange.operation() == Operation.SPEECH) {
            return speech(exchange, model);
        }
        if (exchange.operation() == Operation.TRANSCRIPTIONS) {
            return transcribe(exchange, model);
        }
        String path = switch ((LlmOperation) exchange.operation()) { // providers serve model endpoints only
            case CHAT -> "chat/completions";
            case COMPLETIONS -> "completions";
            case EMBEDDINGS -> "embeddings";
            case IMAGES -> "images/generations";
            case RERANK -> "rerank";
            default -> throw UpstreamHttp.unsupported(name, exchange.operation());
        };
        boolean streaming = exchange.streaming();
        Request request = new Request.Builder()
                .url(url(path, Optional.of(model)))
                .headers(streaming ? streamRequestHeaders : jsonRequestHeaders)
                .post(UpstreamHttp.json(upstreamBody(exchange, model, streaming)))
                .build();
        Call call = transport.client().newCall(request);
        Deadline deadline = transport.deadline(call, settings.timeout(), exchange);
        return UpstreamHttp.send(name, call, deadline, errors::fromStatus, response -> {
            if (streaming && UpstreamHttp.isEventStream(response)) {
                return new Response.Streamed(200, SSE_HEADERS,
                        new SseChunkStream(name, call, response, deadline, settings.streamIdleTimeout(), errors));
            }
            return new Response.Complete(200, JSON_HEADERS, UpstreamHttp.readJson(name, response, deadline, "answer"));
        });
    }

    /**
     * {@code POST audio/speech}: the audio comes back as bytes, each piece relayed as it arrives; asked for as events
     * ({@code "stream_format": "sse"}), as events.
     */
    private Response speech(Exchange exchange, String model) {
        Request request = new Request.Builder()
                .url(url("audio/speech", Optional.of(model)))
                .headers(audioRequestHeaders)
                .post(UpstreamHttp.json(UpstreamHttp.withModel(exchange.body(), model)))
                .build();
        Call call = transport.client().newCall(request);
        Deadline deadline = transport.deadline(call, settings.timeout(), exchange);
        return UpstreamHttp.send(name, call, deadline, errors::fromStatus, response ->
                UpstreamHttp.isEventStream(response) ? new Response.Streamed(200, SSE_HEADERS, new SpeechEventStream(name, call, response, deadline,
                        settings.streamIdleTimeout(), errors))
                : Response.Streamed.bytes(
                        Optional.ofNullable(response.header("Content-Type")).orElse("application/octet-stream"),
                        new UpstreamBytes(name, response, deadline, settings.streamIdleTimeout())));
    }

    /**
     * {@code POST audio/transcriptions} as {@code multipart/form-data}: the body's fields as form fields (an array as
     * repeated {@code name[]} fields, as OpenAI's SDKs send {@code timestamp_granularities[]}) and the upload as
     * {@code file}, streamed from where it lies. A JSON answer is read as JSON; text, SRT and VTT answers pass through
     * with their content type.
     */
    private Response transcribe(Exchange exchange, String model) {
        Upload upload = exchange.get(Upload.KEY).orElseThrow(
                () -> new InvalidRequest("missing required parameter 'file'", "invalid_request", "file"));
        MultipartBody.Builder form = new MultipartBody.Builder().setType(MultipartBody.FORM);
        form.addFormDataPart("file", upload.filename(), UpstreamHttp.upload(upload));
        form.addFormDataPart("model", model);
        exchange.body().object().properties().forEach(field -> {
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (key.equals("model") || key.equals("file") || value.isNull()) {
                return;
            }
            if (value.isArray()) {
                value.forEach(item -> form.addFormDataPart(key + "[]", item.isTextual() ? item.textValue()
                        : item.toString()));
            } else {
                form.addFormDataPart(key, value.isTextual() ? value.textValue() : value.toString());
            }
        });
        // a base the deployment configured is where everything goes; the vendor's own audio hosts only otherwise
        HttpUrl url = settings.apiBase().isEmpty() && available
                ? vendor.transcriptionBase(model).map(text -> UpstreamHttp.parseBase(name, text).newBuilder()
                        .addPathSegments("audio/transcriptions").build())
                        .orElseGet(() -> url("audio/transcriptions", Optional.of(model)))
                : url("audio/transcriptions", Optional.of(model));
        Request request = new Request.Builder()
                .url(url)
                .headers(anyRequestHeaders)
                .post(form.build())
                .build();
        Call call = transport.client().newCall(request);
        Deadline deadline = transport.deadline(call, settings.timeout(), exchange);
        return UpstreamHttp.send(name, call, deadline, errors::fromStatus, response -> {
            String type = Optional.ofNullable(response.header("Content-Type")).orElse("text/plain");
            if (type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                return new Response.Complete(200, JSON_HEADERS,
                        UpstreamHttp.readJson(name, response, deadline, "transcription"));
            }
            return new Response.Complete(200, Headers.of("content-type", type),
                    UpstreamHttp.readBytes(name, response, deadline, "transcription"));
        });
    }

    /**
     * @throws UpstreamFailure if the upstream fails or its answer has no {@code data} list
     */
    @Override
    public List<JsonNode> models() {
        Request request = new Request.Builder()
                .url(url("models", Optional.empty()))
                .headers(jsonRequestHeaders)
                .get()
                .build();
        JsonNode data = UpstreamHttp.fetchList(name, transport, request, settings.timeout(), errors::fromStatus,
                "model list");
        List<JsonNode> models = new ArrayList<>(data.size());
        data.forEach(models::add);
        return List.copyOf(models);
    }

    @Override
    public String toString() {
        return "OpenAiProvider[" + settings + "]";
    }

    /** The caller's body with the routed model, asking for the usage chunk where the class comment says. */
    private Body upstreamBody(Exchange exchange, String model, boolean streaming) {
        Body body = exchange.body();
        boolean askForUsage = streaming && exchange.operation() == Operation.CHAT && vendor.streamUsage()
                && exchange.get(CostMeter.KEY).isPresent() && !ChatChunks.callerAskedForUsage(body.json());
        if (!askForUsage) {
            return UpstreamHttp.withModel(body, model);
        }
        // the top level only: stream_options, the one nested value that changes, is replaced by a changed copy
        return body.editTopLevel(o -> {
            o.put("model", model);
            ObjectNode options = o.path("stream_options") instanceof ObjectNode asked ? asked.deepCopy()
                    : o.objectNode();
            o.set("stream_options", options.put("include_usage", true));
        });
    }

    private HttpUrl url(String path, Optional<String> model) {
        if (!available) {
            throw new InvalidRequest("provider '" + name + "' is not configured", "provider_not_configured", "model");
        }
        HttpUrl.Builder url = base.orElseThrow().newBuilder();
        if (vendor.azure()) {
            // Azure names the deployment in the path; its model list is per resource, not per deployment.
            url.addPathSegment("openai");
            model.ifPresent(m -> url.addPathSegment("deployments").addPathSegment(m));
            return url.addPathSegments(path).addQueryParameter("api-version", apiVersion).build();
        }
        return url.addPathSegments(path).build();
    }

    private okhttp3.Headers requestHeaders(String accept) {
        okhttp3.Headers.Builder headers = new okhttp3.Headers.Builder()
                .add("Accept", accept)
                .add("User-Agent", UpstreamHttp.USER_AGENT);
        settings.apiKey().ifPresent(key -> {
            if (vendor.azure()) {
                headers.add("api-key", key);
            } else {
                headers.add("Authorization", "Bearer " + key);
            }
        });
        return headers.build();
    }
}
