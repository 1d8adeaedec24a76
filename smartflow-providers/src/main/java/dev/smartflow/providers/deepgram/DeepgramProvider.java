package dev.smartflow.providers.deepgram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.Upload;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.UpstreamHttp;
import dev.smartflow.providers.deepgram.DeepgramMapper.Format;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * The adapter for Deepgram's speech-to-text API ({@code api.deepgram.com}), serving OpenAI's
 * {@code /v1/audio/transcriptions} by translation:
 * <ul>
 *   <li>{@link Operation#TRANSCRIPTIONS}: {@code POST /v1/listen?model=<model>&smart_format=true}, with
 *       {@code language=} when the request names one and {@code detect_language=true} when it does not; the body is
 *       the upload's bytes, streamed from where they lie with the upload's content type, never held in memory whole.
 *       OpenAI's {@code prompt} and {@code temperature} have no Deepgram equivalent and are ignored. Deepgram's answer
 *       comes back in the request's {@code response_format}: {@code json} (the default), {@code verbose_json} (with
 *       words) or {@code text}; {@code srt} and {@code vtt} are refused before anything is sent. JSON answers carry
 *       {@code usage: {"type": "duration", "seconds": <metadata.duration>}}, which the cost stage bills by.</li>
 *   <li>{@link #models()}: {@code GET /v1/models}, one OpenAI model object per speech-to-text model.</li>
 * </ul>
 * Every other operation is refused. Calls carry the configured key as {@code Authorization: Token}; the caller's own
 * credentials are never forwarded. The base URL is the host root, defaulting to {@value #DEFAULT_BASE}
 * ({@code DEEPGRAM_API_BASE} overrides it, e.g. for a self-hosted deployment); the adapter adds {@code /v1/...}.
 *
 * <p>Failures are {@link UpstreamFailure}s with scrubbed messages ({@link DeepgramErrors}): client errors keep their
 * status, server errors, broken connections and unreadable answers become 502, a passed deadline 504.
 *
 * <p>Thread-safe; {@link #call} blocks until the whole upload is sent and transcribed, so run it on a virtual thread.
 * Usually built by {@link dev.smartflow.providers.ProviderRegistry}:
 *
 * <pre>{@code
 * Provider deepgram = new DeepgramProvider(ProviderSettings.of("deepgram").withApiKey(key), transport);
 * Exchange exchange = Exchange.of(Operation.TRANSCRIPTIONS, Body.json("{\"model\":\"nova-3\"}"), Headers.EMPTY)
 *         .with(Upload.KEY, Upload.of(Path.of("meeting.mp3"), "audio/mpeg"));
 * Response answer = deepgram.call(exchange, "nova-3");
 * }</pre>
 */
public final class DeepgramProvider implements Provider {
    public static final String DEFAULT_BASE = "https://api.deepgram.com";
    private static final Headers JSON_HEADERS = Headers.of("content-type", "application/json");
    private static final Headers TEXT_HEADERS = Headers.of("content-type", "text/plain; charset=utf-8");

    private final String name;
    private final ProviderSettings settings;
    private final HttpTransport transport;
    private final HttpUrl base;
    private final DeepgramErrors errors;

    /**
     * @param settings  the name ({@code deepgram}) and configuration
     * @param transport the shared HTTP client and deadline watchdog
     * @throws IllegalArgumentException if the base URL is not an http or https URL, or the key holds characters an
     *                                  HTTP header cannot carry
     */
    public DeepgramProvider(ProviderSettings settings, HttpTransport transport) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.name = settings.name();
        this.base = UpstreamHttp.parseBase(name, settings.apiBase().orElse(DEFAULT_BASE));
        settings.apiKey().ifPresent(key -> UpstreamHttp.requireHeaderSafe(name, key));
        this.errors = new DeepgramErrors(name, settings.apiKey());
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
     * @throws InvalidRequest  if the operation is not a transcription, the exchange carries no {@link Upload}, the
     *                         {@code response_format} is not json, verbose_json or text, or the provider has no key
     * @throws UpstreamFailure if the upstream fails, times out or answers garbage
     */
    @Override
    public Response call(Exchange exchange, String model) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(model, "model");
        if (exchange.operation() != Operation.TRANSCRIPTIONS) {
            throw UpstreamHttp.unsupported(name, exchange.operation());
        }
        return transcribe(exchange, model);
    }

    /**
     * Deepgram's model list ({@code GET /v1/models}) as OpenAI model objects, speech-to-text models only: the
     * text-to-speech voices it also lists cannot serve a transcription.
     *
     * @throws UpstreamFailure if the upstream fails or its answer has no {@code stt} list
     */
    @Override
    public List<JsonNode> models() {
        requireAvailable();
        Request request = new Request.Builder()
                .url(base.newBuilder().addPathSegments("v1/models").build())
                .headers(headers())
                .get()
                .build();
        JsonNode stt = UpstreamHttp.fetchJson(name, transport, request, settings.timeout(), errors::fromStatus,
                "model list").json().path("stt");
        if (!stt.isArray()) {
            throw UpstreamFailure.io(name, "model list has no stt array", null);
        }
        List<JsonNode> models = new ArrayList<>();
        for (String id : DeepgramMapper.speechToTextModelIds(stt)) {
            ObjectNode entry = JsonNodeFactory.instance.objectNode();
            entry.put("id", id);
            entry.put("object", "model");
            entry.put("created", 0);
            entry.put("owned_by", "deepgram");
            models.add(entry);
        }
        return List.copyOf(models);
    }

    @Override
    public String toString() {
        return "DeepgramProvider[" + settings + "]";
    }

    private Response transcribe(Exchange exchange, String model) {
        JsonNode form = exchange.body().json();
        // checked before the upload is sent: Deepgram bills the audio even if its answer then cannot be shaped
        Format format = Format.of(form.path("response_format"));
        Upload upload = exchange.get(Upload.KEY).orElseThrow(
                () -> new InvalidRequest("missing required parameter 'file'", "invalid_request", "file"));
        requireAvailable();
        JsonNode languageField = form.path("language");
        Optional<String> language = languageField.isTextual() && !languageField.textValue().isBlank()
                ? Optional.of(languageField.textValue().strip()) : Optional.empty();
        HttpUrl.Builder url = base.newBuilder()
                .addPathSegments("v1/listen")
                .addQueryParameter("model", model)
                .addQueryParameter("smart_format", "true");
        if (language.isPresent()) {
            url.addQueryParameter("language", language.get());
        } else {
            url.addQueryParameter("detect_language", "true");
        }
        Request request = new Request.Builder()
                .url(url.build())
                .headers(headers())
                .post(UpstreamHttp.upload(upload))
                .build();
        Call call = transport.client().newCall(request);
        Deadline deadline = transport.deadline(call, settings.timeout(), exchange);
        return UpstreamHttp.send(name, call, deadline, errors::fromStatus, response -> {
            JsonNode answer = UpstreamHttp.readJson(name, response, deadline, "transcription").json();
            String transcript = DeepgramMapper.transcript(answer).orElseThrow(
                    () -> UpstreamFailure.io(name, "transcription has no transcript", null));
            return switch (format) {
                case JSON -> new Response.Complete(200, JSON_HEADERS,
                        Body.of(DeepgramMapper.toJson(answer, transcript)));
                case VERBOSE_JSON -> new Response.Complete(200, JSON_HEADERS,
                        Body.of(DeepgramMapper.toVerboseJson(answer, transcript, language)));
                case TEXT -> new Response.Complete(200, TEXT_HEADERS,
                        Body.wrap(transcript.getBytes(StandardCharsets.UTF_8)));
            };
        });
    }

    private okhttp3.Headers headers() {
        okhttp3.Headers.Builder headers = new okhttp3.Headers.Builder()
                .add("Accept", "application/json")
                .add("User-Agent", UpstreamHttp.USER_AGENT);
        settings.apiKey().ifPresent(key -> headers.add("Authorization", "Token " + key));
        return headers.build();
    }

    private void requireAvailable() {
        if (!available()) {
            throw new InvalidRequest("provider '" + name + "' is not configured", "provider_not_configured", "model");
        }
    }
}
