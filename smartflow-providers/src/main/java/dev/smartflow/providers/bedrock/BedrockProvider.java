package dev.smartflow.providers.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Ticker;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.LlmOperation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.model.Usage;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.Scrubber;
import dev.smartflow.providers.UpstreamHttp;
import dev.smartflow.providers.anthropic.MessagesBridge;
import dev.smartflow.providers.translate.ChatChunks;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * The adapter for Amazon Bedrock's runtime API, serving the OpenAI surface by translation:
 * <ul>
 *   <li>{@link dev.smartflow.core.exchange.Operation#CHAT}: {@code POST /model/{modelId}/converse}, or for
 *       {@code "stream": true} {@code /model/{modelId}/converse-stream}, whose AWS event-stream answer is decoded
 *       frame by frame as it arrives (both CRCs checked); one Converse shape serves every chat model Bedrock hosts
 *       (Claude, Llama, Mistral, Nova, Titan, Cohere Command...), with system prompts, images, tools and tool results,
 *       stop reasons and usage translated both ways ({@link BedrockMapper}, {@link BedrockStreamTranslator});</li>
 *   <li>{@link dev.smartflow.core.exchange.Operation#EMBEDDINGS}: {@code POST /model/{modelId}/invoke} for Titan text
 *       embeddings (one text per call) and Cohere embed models (up to 96 texts per call), answered in OpenAI's
 *       embeddings shape, prompt tokens from Bedrock's {@code X-Amzn-Bedrock-Input-Token-Count};</li>
 *   <li>{@link dev.smartflow.core.exchange.Operation#ANTHROPIC_MESSAGES}: through the OpenAI chat shape
 *       ({@link MessagesBridge});</li>
 *   <li>{@link #models()}: the control plane's {@code GET /foundation-models} (text models).</li>
 * </ul>
 * The model id is the path segment as Bedrock names it: a foundation model ({@code anthropic.claude-3-5-haiku-20241022-v1:0}),
 * a cross-region inference profile ({@code us.anthropic.claude-sonnet-4-20250514-v1:0}) or an ARN, percent-encoded
 * whole. Calls are signed with SigV4 (service {@code bedrock}) or carry a Bedrock API key ({@link BedrockAuth}); the
 * caller's own credentials are never forwarded. The runtime base defaults to
 * {@code https://bedrock-runtime.{region}.amazonaws.com}, the control plane's to
 * {@code https://bedrock.{region}.amazonaws.com}; {@code BEDROCK_API_BASE} replaces both (tests, VPC endpoints).
 *
 * <p>Available once a region is set ({@code AWS_REGION} or {@code AWS_DEFAULT_REGION}). Failures are
 * {@link UpstreamFailure}s with scrubbed messages, mapped by Bedrock's exception type ({@link BedrockErrors}).
 *
 * <p>Thread-safe; {@link #call} blocks, so run it on a virtual thread. Usually built by
 * {@link dev.smartflow.providers.ProviderRegistry}:
 *
 * <pre>{@code
 * Provider bedrock = new BedrockProvider(ProviderSettings.of("bedrock"), System.getenv(), transport);
 * Response answer = bedrock.call(exchange, "us.anthropic.claude-3-5-haiku-20241022-v1:0");
 * }</pre>
 */
public final class BedrockProvider implements Provider {
    private static final Headers JSON_HEADERS = Headers.of("content-type", "application/json");
    private static final Headers SSE_HEADERS = Headers.of("content-type", "text/event-stream");
    private static final MediaType JSON = MediaType.get("application/json");
    private static final String EVENT_STREAM = "application/vnd.amazon.eventstream";
    private static final String INPUT_TOKENS = "X-Amzn-Bedrock-Input-Token-Count";

    private final String name;
    private final ProviderSettings settings;
    private final HttpTransport transport;
    private final BedrockAuth auth;
    private final Optional<HttpUrl> runtime;
    private final Optional<HttpUrl> control;
    private final Clock clock;
    private final Ticker ticker = Ticker.system();
    private final BedrockErrors errors;

    /**
     * @param settings    the name ({@code bedrock}), an optional API key and base, and deadlines
     * @param environment where the region and AWS credentials are read ({@code AWS_REGION}, {@code AWS_ACCESS_KEY_ID},
     *                    ...), usually the registry's
     * @param transport   the shared HTTP client and deadline watchdog
     * @throws IllegalArgumentException if the base URL is not an http or https URL, or the region is not a region name
     */
    public BedrockProvider(ProviderSettings settings, Map<String, String> environment, HttpTransport transport) {
        this(settings, BedrockAuth.fromEnvironment(environment, settings.apiKey(), Clock.systemUTC()), transport,
                Clock.systemUTC());
    }

    BedrockProvider(ProviderSettings settings, BedrockAuth auth, HttpTransport transport, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.auth = Objects.requireNonNull(auth, "auth");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.name = settings.name();
        auth.region().ifPresent(region -> {
            if (!region.matches("[a-z0-9-]{1,40}")) {
                throw new IllegalArgumentException("provider '" + name + "': the AWS region is not a region name");
            }
        });
        Optional<HttpUrl> base = settings.apiBase().map(b -> UpstreamHttp.parseBase(name, b));
        this.runtime = base.or(() -> auth.region().map(r -> HttpUrl.get("https://bedrock-runtime." + r
                + ".amazonaws.com")));
        this.control = base.or(() -> auth.region().map(r -> HttpUrl.get("https://bedrock." + r + ".amazonaws.com")));
        auth.secrets().forEach(secret -> UpstreamHttp.requireHeaderSafe(name, secret));
        this.errors = new BedrockErrors(name, new Scrubber(auth.secrets()));
    }

    @Override
    public String name() {
        return name;
    }

    /** True once a region is set: credentials come from the environment or the AWS default chain. */
    @Override
    public boolean available() {
        return auth.configured();
    }

    /** The runtime base URL calls go to, if a region or base is set. */
    public Optional<String> apiBase() {
        return runtime.map(HttpUrl::toString);
    }

    /**
     * @throws InvalidRequest  if the operation is not chat, embeddings or Messages, the provider has no region, the
     *                         model does not embed, or the request cannot be expressed in Bedrock's shape
     * @throws UpstreamFailure if the upstream fails, times out, answers garbage, or no credentials can be found
     */
    @Override
    public Response call(Exchange exchange, String model) {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(model, "model");
        return switch ((LlmOperation) exchange.operation()) { // providers serve model endpoints only
            case CHAT -> chat(exchange, model);
            case EMBEDDINGS -> embeddings(exchange, model);
            case ANTHROPIC_MESSAGES -> MessagesBridge.serve(exchange, model, this);
            default -> throw UpstreamHttp.unsupported(name, exchange.operation());
        };
    }

    /**
     * Bedrock's text foundation models ({@code GET /foundation-models?byOutputModality=TEXT} on the control plane).
     *
     * @throws UpstreamFailure if the upstream fails or its answer has no {@code modelSummaries} list
     */
    @Override
    public List<JsonNode> models() {
        HttpUrl url = requireBase(control).newBuilder().addPathSegment("foundation-models")
                .addQueryParameter("byOutputModality", "TEXT").build();
        Request request = auth.authorise(new Request.Builder().url(url).get()
                .header("Accept", "application/json").header("User-Agent", UpstreamHttp.USER_AGENT).build(),
                new byte[0], name);
        JsonNode list = UpstreamHttp.fetchJsonWithErrorHeaders(name, transport, request, settings.timeout(),
                this::fromStatus, "model list").json().path("modelSummaries");
        if (!list.isArray()) {
            throw UpstreamFailure.io(name, "model list has no modelSummaries array", null);
        }
        List<JsonNode> models = new ArrayList<>(list.size());
        for (JsonNode model : list) {
            ObjectNode entry = JsonNodeFactory.instance.objectNode();
            entry.put("id", model.path("modelId").asText());
            entry.put("object", "model");
            entry.put("created", 0);
            entry.put("owned_by", model.path("providerName").asText("aws").toLowerCase(Locale.ROOT));
            models.add(entry);
        }
        return List.copyOf(models);
    }

    @Override
    public String toString() {
        return "BedrockProvider[" + settings + ", " + auth + "]";
    }

    private Response chat(Exchange exchange, String model) {
        byte[] body = Body.of(BedrockMapper.toConverseRequest(exchange.body().json())).bytes();
        boolean streaming = exchange.streaming();
        Request request = signed(modelUrl(model, streaming ? "converse-stream" : "converse"),
                streaming ? EVENT_STREAM : "application/json", body);
        Call call = transport.client().newCall(request);
        Deadline deadline = transport.deadline(call, settings.timeout(), exchange);
        return UpstreamHttp.sendWithErrorHeaders(name, call, deadline, this::fromStatus, response -> {
            long created = clock.instant().getEpochSecond();
            String id = BedrockMapper.completionId(response.header("x-amzn-RequestId"));
            if (streaming) {
                if (!isEventStream(response)) {
                    throw UpstreamFailure.io(name, "stream answer is not an AWS event stream", null);
                }
                EventStreamCall events = new EventStreamCall(name, call, response, deadline,
                        settings.streamIdleTimeout());
                return new Response.Streamed(200, SSE_HEADERS, new BedrockStreamTranslator(events, name, errors, id,
                        model, created, ChatChunks.usageChunkWanted(exchange)));
            }
            JsonNode answer = UpstreamHttp.readJson(name, response, deadline, "answer").json();
            if (!answer.path("output").isObject()) {
                throw UpstreamFailure.io(name, "answer has no output", null);
            }
            return new Response.Complete(200, JSON_HEADERS, Body.of(BedrockMapper.toChatCompletion(answer, id, model,
                    created)));
        });
    }

    private Response embeddings(Exchange exchange, String model) {
        JsonNode request = exchange.body().json();
        BedrockMapper.EmbeddingFamily family = BedrockMapper.EmbeddingFamily.of(model);
        if (family == BedrockMapper.EmbeddingFamily.NONE) {
            throw new InvalidRequest("model '" + model + "' does not embed on Bedrock: embeddings are served for"
                    + " Titan (amazon.titan-embed-text-*) and Cohere (cohere.embed-*) models", "invalid_request",
                    "model");
        }
        List<String> texts = BedrockMapper.embeddingTexts(request);
        requireBase(runtime);
        List<JsonNode> vectors = new ArrayList<>(texts.size());
        long tokens = 0;
        // Titan embeds one text per call, Cohere up to 96: the calls share one deadline, as one call to the caller
        int batch = family == BedrockMapper.EmbeddingFamily.TITAN ? 1 : BedrockMapper.COHERE_BATCH;
        long deadlineAt = ticker.nanos() + settings.timeout().toNanos();
        for (int from = 0; from < texts.size(); from += batch) {
            List<String> slice = texts.subList(from, Math.min(texts.size(), from + batch));
            ObjectNode body = family == BedrockMapper.EmbeddingFamily.TITAN
                    ? BedrockMapper.titanRequest(slice.getFirst(), request, model)
                    : BedrockMapper.cohereRequest(slice, request);
            Invoked invoked = invoke(exchange, model, body, deadlineAt);
            tokens += invoked.inputTokens;
            if (family == BedrockMapper.EmbeddingFamily.TITAN) {
                vectors.add(invoked.answer.path("embedding"));
                if (invoked.inputTokens == 0) {
                    tokens += Usage.count(invoked.answer.path("inputTextTokenCount"), 0);
                }
            } else {
                JsonNode returned = BedrockMapper.cohereVectors(invoked.answer);
                if (!returned.isArray() || returned.size() != slice.size()) {
                    throw UpstreamFailure.io(name, "embeddings answer does not hold one vector per text", null);
                }
                returned.forEach(vectors::add);
            }
        }
        boolean base64 = "base64".equals(request.path("encoding_format").asText(""));
        return new Response.Complete(200, JSON_HEADERS, Body.of(BedrockMapper.toEmbeddings(vectors, model,
                Math.min(tokens, Usage.MAX_COUNT), base64)));
    }

    /** One InvokeModel answer and the input tokens Bedrock counted for it. */
    private record Invoked(JsonNode answer, long inputTokens) {
    }

    private Invoked invoke(Exchange exchange, String model, ObjectNode body, long deadlineAt) {
        long left = deadlineAt - ticker.nanos();
        if (left <= 0) {
            throw UpstreamFailure.timeout(name, null);
        }
        Request request = signed(modelUrl(model, "invoke"), "application/json", Body.of(body).bytes());
        Call call = transport.client().newCall(request);
        Deadline deadline = transport.deadline(call, Duration.ofNanos(left), exchange);
        long[] counted = new long[1];
        Response.Complete complete = (Response.Complete) UpstreamHttp.sendWithErrorHeaders(name, call, deadline,
                this::fromStatus, response -> {
                    counted[0] = tokenCount(response.header(INPUT_TOKENS));
                    return new Response.Complete(200, JSON_HEADERS, UpstreamHttp.readJson(name, response, deadline,
                            "embeddings"));
                });
        return new Invoked(complete.body().json(), counted[0]);
    }

    private static long tokenCount(String header) {
        if (header == null) {
            return 0;
        }
        try {
            return Math.max(0, Math.min(Long.parseLong(header.strip()), Usage.MAX_COUNT));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * {@code /model/{modelId}/{action}}: the id percent-encoded as one segment as the AWS SDK does (its {@code :}
     * and an ARN's {@code /} included), which is also the form the signature covers.
     */
    private HttpUrl modelUrl(String model, String action) {
        return requireBase(runtime).newBuilder().addPathSegment("model").addEncodedPathSegment(encode(model))
                .addPathSegment(action).build();
    }

    private Request signed(HttpUrl url, String accept, byte[] body) {
        Request unsigned = new Request.Builder()
                .url(url)
                .header("Accept", accept)
                .header("Content-Type", JSON.toString())
                .header("User-Agent", UpstreamHttp.USER_AGENT)
                .post(RequestBody.create(body, JSON))
                .build();
        return auth.authorise(unsigned, body, name);
    }

    private HttpUrl requireBase(Optional<HttpUrl> base) {
        if (base.isEmpty() || !available()) {
            throw new InvalidRequest("provider '" + name + "' is not configured", "provider_not_configured", "model");
        }
        return base.get();
    }

    private UpstreamFailure fromStatus(int status, okhttp3.Headers headers, byte[] body) {
        return errors.fromStatus(status, headers.get("x-amzn-ErrorType"), body);
    }

    private static boolean isEventStream(okhttp3.Response response) {
        String type = response.header("Content-Type");
        return type != null && type.toLowerCase(Locale.ROOT).startsWith(EVENT_STREAM);
    }

    /** RFC 3986 percent-encoding of everything but unreserved characters, as AWS's {@code urlEncode}. */
    static String encode(String segment) {
        StringBuilder out = new StringBuilder(segment.length() + 8);
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
