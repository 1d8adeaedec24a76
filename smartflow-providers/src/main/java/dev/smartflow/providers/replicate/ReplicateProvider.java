package dev.smartflow.providers.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Ticker;
import dev.smartflow.core.error.ClientClosed;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
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
import dev.smartflow.providers.sse.SseCall;
import dev.smartflow.providers.translate.ChatChunks;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * The adapter for Replicate's predictions API, serving chat with Replicate's language models
 * ({@code replicate/meta/meta-llama-3-70b-instruct}, or a pinned version {@code replicate/owner/model:<64 hex>}):
 * <ul>
 *   <li>a whole answer: {@code POST /v1/models/{owner}/{name}/predictions} (or {@code POST /v1/predictions} with the
 *       version) with {@code Prefer: wait=60}, so that a short answer comes back in that one call; a prediction still
 *       running then is polled ({@code GET /v1/predictions/{id}}) until it ends, and cancelled
 *       ({@code POST /v1/predictions/{id}/cancel}) if the call's timeout passes or its caller goes away;</li>
 *   <li>a stream: the prediction is created without waiting and its {@code urls.stream} (server-sent events) is relayed
 *       as {@code chat.completion.chunk}s ({@link ReplicateStreamTranslator}); a model that does not stream is waited
 *       for and its answer sent as one chunk.</li>
 * </ul>
 * Messages are rendered to the model's {@code prompt} and {@code system_prompt} inputs ({@link ReplicateMapper}
 * documents the format); output lists are joined. Usage comes from the prediction's {@code metrics}
 * ({@code input_token_count}, {@code output_token_count}), so models billed by the token are priced from the catalog;
 * a model that reports only {@code predict_time} answers without usage. Messages calls go through the OpenAI chat
 * shape ({@link MessagesBridge}).
 *
 * <p>Calls to the API carry the key as {@code Authorization: Bearer}; the stream URL, on Replicate's streaming host,
 * is fetched without it (it is a capability URL of its own), and polling always goes to the configured base, never to
 * a URL the answer names. The base defaults to {@value #DEFAULT_BASE} ({@code REPLICATE_API_BASE} overrides it, the
 * host root). Failures are {@link UpstreamFailure}s with scrubbed messages ({@link ReplicateErrors}).
 *
 * <p>Thread-safe; {@link #call} blocks (polling included), so run it on a virtual thread.
 *
 * <pre>{@code
 * Provider replicate = new ReplicateProvider(ProviderSettings.of("replicate").withApiKey(key), transport);
 * Response answer = replicate.call(exchange, "meta/meta-llama-3-8b-instruct");
 * }</pre>
 */
public final class ReplicateProvider implements Provider {
    public static final String DEFAULT_BASE = "https://api.replicate.com";
    /** The longest a prediction may be waited for in its creating call; Replicate's own limit. */
    static final int WAIT_SECONDS = 60;
    static final Duration POLL_INTERVAL = Duration.ofMillis(500);
    /** How long the usage of a finished stream's prediction is looked for. */
    static final Duration USAGE_GRACE = Duration.ofSeconds(10);
    private static final Headers JSON_HEADERS = Headers.of("content-type", "application/json");
    private static final Headers SSE_HEADERS = Headers.of("content-type", "text/event-stream");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** {@code owner/name} with an optional {@code :version}; names as Replicate allows them. */
    private static final Pattern MODEL = Pattern.compile(
            "([a-z0-9][a-z0-9_.-]*)/([a-z0-9][a-z0-9_.-]*)(?::([a-f0-9]{64}))?", Pattern.CASE_INSENSITIVE);

    /** Waits between two polls; returns early when the caller goes away. */
    @FunctionalInterface
    interface Pause {
        void pause(Duration duration, Optional<Cancellation> cancellation);
    }

    private final String name;
    private final ProviderSettings settings;
    private final HttpTransport transport;
    private final HttpUrl base;
    private final InstantSource clock;
    private final Ticker ticker;
    private final Pause pause;
    private final ReplicateErrors errors;

    /**
     * @param settings  the name ({@code replicate}), key, base and deadlines; the timeout bounds a whole prediction,
     *                  polling included
     * @param transport the shared HTTP client and deadline watchdog
     * @throws IllegalArgumentException if the base URL is not an http or https URL, or the key holds characters an
     *                                  HTTP header cannot carry
     */
    public ReplicateProvider(ProviderSettings settings, HttpTransport transport) {
        this(settings, transport, InstantSource.system(), Ticker.system(), ReplicateProvider::park);
    }

    ReplicateProvider(ProviderSettings settings, HttpTransport transport, InstantSource clock, Ticker ticker,
                      Pause pause) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.pause = Objects.requireNonNull(pause, "pause");
        this.name = settings.name();
        this.base = UpstreamHttp.parseBase(name, settings.apiBase().orElse(DEFAULT_BASE));
        settings.apiKey().ifPresent(key -> UpstreamHttp.requireHeaderSafe(name, key));
        this.errors = new ReplicateErrors(name, new Scrubber(settings.apiKey()));
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
     * @throws InvalidRequest  if the operation is not chat or Messages, the model is not {@code owner/name[:version]},
     *                         the provider has no key, or the request has what Replicate models cannot take
     * @throws UpstreamFailure if the upstream fails, times out, answers garbage, or the prediction fails
     * @throws ClientClosed    if the caller went away while the prediction ran (it is then cancelled)
     */
    @Override
    public Response call(Exchange exchange, String model) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(model, "model");
        return switch ((LlmOperation) exchange.operation()) { // providers serve model endpoints only
            case CHAT -> chat(exchange, model);
            case ANTHROPIC_MESSAGES -> MessagesBridge.serve(exchange, model, this);
            default -> throw UpstreamHttp.unsupported(name, exchange.operation());
        };
    }

    /**
     * The models of Replicate's {@code language-models} collection ({@code GET /v1/collections/language-models}),
     * ids {@code owner/name}.
     *
     * @throws UpstreamFailure if the upstream fails or its answer has no {@code models} list
     */
    @Override
    public List<JsonNode> models() {
        requireAvailable();
        Request request = new Request.Builder()
                .url(base.newBuilder().addPathSegments("v1/collections/language-models").build())
                .headers(apiHeaders().build())
                .get()
                .build();
        JsonNode list = UpstreamHttp.fetchJson(name, transport, request, settings.timeout(), errors::fromStatus,
                "model list").json().path("models");
        if (!list.isArray()) {
            throw UpstreamFailure.io(name, "model list has no models array", null);
        }
        List<JsonNode> models = new ArrayList<>(list.size());
        for (JsonNode model : list) {
            ObjectNode entry = NODES.objectNode();
            entry.put("id", model.path("owner").asText() + "/" + model.path("name").asText());
            entry.put("object", "model");
            entry.put("created", 0);
            entry.put("owned_by", model.path("owner").asText("replicate"));
            models.add(entry);
        }
        return List.copyOf(models);
    }

    @Override
    public String toString() {
        return "ReplicateProvider[" + settings + "]";
    }

    private Response chat(Exchange exchange, String model) {
        Matcher ref = MODEL.matcher(model);
        if (!ref.matches()) {
            throw new InvalidRequest("a Replicate model is named owner/name or owner/name:version, not '"
                    + (model.length() > 200 ? model.substring(0, 200) + "…" : model) + "'", "model_not_found",
                    "model");
        }
        JsonNode chat = exchange.body().json();
        ObjectNode input = ReplicateMapper.toInput(chat);
        requireAvailable();
        boolean streaming = exchange.streaming();
        long deadlineAt = ticker.nanos() + settings.timeout().toNanos();
        JsonNode prediction = create(exchange, ref, input, streaming, deadlineAt);
        long created = clock.instant().getEpochSecond();
        String id = "chatcmpl-" + prediction.path("id").asText("");
        String stream = prediction.path("urls").path("stream").asText("");
        if (streaming && !stream.isEmpty() && !ended(prediction)) {
            return streamed(exchange, prediction.path("id").asText(), stream, id, model, created, deadlineAt);
        }
        JsonNode finished = await(exchange, prediction, deadlineAt);
        ObjectNode completion = ReplicateMapper.toChatCompletion(finished, model, created, chat);
        if (!streaming) {
            return new Response.Complete(200, JSON_HEADERS, Body.of(completion));
        }
        // a model that does not stream: its whole answer, in chunks as a stream of it would have been
        List<Chunk> chunks = new ArrayList<>(4);
        chunks.add(ChatChunks.choice(id, created, model, 0, NODES.objectNode().put("role", "assistant")
                .put("content", ""), null));
        chunks.add(ChatChunks.choice(id, created, model, 0, NODES.objectNode().put("content",
                ReplicateMapper.outputText(finished.path("output"))), null));
        chunks.add(ChatChunks.choice(id, created, model, 0, NODES.objectNode(),
                completion.path("choices").path(0).path("finish_reason").asText("stop")));
        if (ChatChunks.usageChunkWanted(exchange) && completion.path("usage").isObject()) {
            chunks.add(ChatChunks.usageOnly(id, created, model, completion.path("usage")));
        }
        return new Response.Streamed(200, SSE_HEADERS, ChunkStream.of(chunks));
    }

    /** Creates the prediction; without a stream, waits up to {@value #WAIT_SECONDS} s for it in the same call. */
    private JsonNode create(Exchange exchange, Matcher ref, ObjectNode input, boolean streaming, long deadlineAt) {
        ObjectNode body = NODES.objectNode();
        HttpUrl url;
        if (ref.group(3) != null) {
            url = base.newBuilder().addPathSegments("v1/predictions").build();
            body.put("version", ref.group(3));
        } else {
            url = base.newBuilder().addPathSegments("v1/models").addPathSegment(ref.group(1))
                    .addPathSegment(ref.group(2)).addPathSegment("predictions").build();
        }
        body.set("input", input);
        if (streaming) {
            body.put("stream", true);
        }
        okhttp3.Headers.Builder headers = apiHeaders();
        Duration left = remaining(deadlineAt);
        if (!streaming) {
            long wait = Math.max(1, Math.min(WAIT_SECONDS, left.toSeconds()));
            headers.set("Prefer", "wait=" + wait);
        }
        Request request = new Request.Builder().url(url).headers(headers.build()).post(UpstreamHttp.json(Body.of(body)))
                .build();
        return prediction(exchange, request, left, "prediction");
    }

    /** Polls until the prediction ends; cancels it if the deadline passes or the caller goes away first. */
    private JsonNode await(Exchange exchange, JsonNode prediction, long deadlineAt) {
        String predictionId = prediction.path("id").asText("");
        Optional<Cancellation> cancellation = exchange.get(Cancellation.KEY);
        JsonNode current = prediction;
        while (!ended(current)) {
            stopIfAbandoned(predictionId, cancellation, deadlineAt);
            pause.pause(POLL_INTERVAL, cancellation);
            stopIfAbandoned(predictionId, cancellation, deadlineAt);
            current = poll(exchange, predictionId, deadlineAt);
        }
        String status = current.path("status").asText();
        if (!status.equals("succeeded")) {
            throw errors.fromPrediction(current);
        }
        return current;
    }

    /** Cancels the prediction and ends the call if its caller went away or its deadline passed. */
    private void stopIfAbandoned(String predictionId, Optional<Cancellation> cancellation, long deadlineAt) {
        if (cancellation.map(Cancellation::cancelled).orElse(false)) {
            cancel(predictionId);
            throw new ClientClosed(name + " prediction", null);
        }
        if (ticker.nanos() - deadlineAt >= 0) {
            cancel(predictionId);
            throw UpstreamFailure.timeout(name, null);
        }
    }

    private Response streamed(Exchange exchange, String predictionId, String streamUrl, String id, String model,
                              long created, long deadlineAt) {
        HttpUrl url = HttpUrl.parse(streamUrl);
        if (url == null) {
            cancel(predictionId);
            throw UpstreamFailure.io(name, "prediction's stream URL is not an http or https URL", null);
        }
        // the stream URL is a capability of its own on Replicate's streaming host: the key does not go there
        Request request = new Request.Builder().url(url)
                .header("Accept", "text/event-stream")
                .header("Cache-Control", "no-store")
                .header("User-Agent", UpstreamHttp.USER_AGENT)
                .get()
                .build();
        Call call = transport.client().newCall(request);
        Deadline deadline = transport.deadline(call, remaining(deadlineAt), exchange);
        boolean wanted = ChatChunks.usageChunkWanted(exchange);
        return UpstreamHttp.send(name, call, deadline, errors::fromStatus, response -> {
            if (!UpstreamHttp.isEventStream(response)) {
                throw UpstreamFailure.io(name, "prediction's stream is not an event stream", null);
            }
            SseCall events = new SseCall(name, call, response, deadline, settings.streamIdleTimeout());
            return new Response.Streamed(200, SSE_HEADERS, new ReplicateStreamTranslator(events, name, errors, id,
                    model, created, wanted, () -> finishedUsage(exchange, predictionId)));
        });
    }

    /**
     * The usage of a prediction whose stream just ended: it reports its metrics once it has succeeded, which may be a
     * moment after the stream's {@code done}. Empty when it reports none in time; the stream has been served either
     * way, so a failure here costs only the usage.
     */
    private Optional<ObjectNode> finishedUsage(Exchange exchange, String predictionId) {
        long until = ticker.nanos() + USAGE_GRACE.toNanos();
        try {
            JsonNode current = poll(exchange, predictionId, until);
            while (!ended(current) && ticker.nanos() - until < 0) {
                pause.pause(POLL_INTERVAL, exchange.get(Cancellation.KEY));
                current = poll(exchange, predictionId, until);
            }
            return ReplicateMapper.usage(current);
        } catch (UpstreamFailure | ClientClosed e) {
            return Optional.empty();
        }
    }

    private JsonNode poll(Exchange exchange, String predictionId, long deadlineAt) {
        Request request = new Request.Builder()
                .url(base.newBuilder().addPathSegments("v1/predictions").addPathSegment(predictionId).build())
                .headers(apiHeaders().build())
                .get()
                .build();
        return prediction(exchange, request, remaining(deadlineAt), "prediction");
    }

    /** Best effort: a prediction nobody waits for should stop running (and costing). */
    private void cancel(String predictionId) {
        if (predictionId.isEmpty()) {
            return;
        }
        Request request = new Request.Builder()
                .url(base.newBuilder().addPathSegments("v1/predictions").addPathSegment(predictionId)
                        .addPathSegment("cancel").build())
                .headers(apiHeaders().build())
                .post(UpstreamHttp.json(Body.json("{}")))
                .build();
        try {
            UpstreamHttp.fetchJson(name, transport, request, settings.timeout(), errors::fromStatus, "cancel answer");
        } catch (RuntimeException e) {
            // it will end on its own; nothing the caller can do about it
        }
    }

    private JsonNode prediction(Exchange exchange, Request request, Duration timeout, String what) {
        Call call = transport.client().newCall(request);
        Deadline deadline = transport.deadline(call, timeout, exchange);
        Response.Complete answer = (Response.Complete) UpstreamHttp.send(name, call, deadline, errors::fromStatus,
                response -> new Response.Complete(200, JSON_HEADERS, UpstreamHttp.readJson(name, response, deadline,
                        what)));
        JsonNode prediction = answer.body().json();
        if (!prediction.isObject() || !prediction.path("id").isTextual() || !prediction.path("status").isTextual()) {
            throw UpstreamFailure.io(name, what + " has no id or status", null);
        }
        return prediction;
    }

    private static boolean ended(JsonNode prediction) {
        return switch (prediction.path("status").asText()) {
            case "starting", "processing" -> false;
            default -> true;
        };
    }

    private Duration remaining(long deadlineAt) {
        long left = deadlineAt - ticker.nanos();
        if (left <= 0) {
            throw UpstreamFailure.timeout(name, null);
        }
        return Duration.ofNanos(left);
    }

    private okhttp3.Headers.Builder apiHeaders() {
        okhttp3.Headers.Builder headers = new okhttp3.Headers.Builder()
                .add("Accept", "application/json")
                .add("User-Agent", UpstreamHttp.USER_AGENT);
        settings.apiKey().ifPresent(key -> headers.add("Authorization", "Bearer " + key));
        return headers;
    }

    private void requireAvailable() {
        if (!available()) {
            throw new InvalidRequest("provider '" + name + "' is not configured", "provider_not_configured", "model");
        }
    }

    /** Parks for {@code duration}, woken early when the caller goes away. */
    private static void park(Duration duration, Optional<Cancellation> cancellation) {
        Thread waiter = Thread.currentThread();
        Optional<Cancellation.Registration> registration = cancellation.map(c -> c.onCancel(
                () -> LockSupport.unpark(waiter)));
        try {
            LockSupport.parkNanos(duration.toNanos());
        } finally {
            registration.ifPresent(Cancellation.Registration::close);
        }
    }
}
