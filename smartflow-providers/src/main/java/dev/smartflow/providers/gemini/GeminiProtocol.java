package dev.smartflow.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.Scrubber;
import dev.smartflow.providers.UpstreamHttp;
import dev.smartflow.providers.sse.SseCall;
import dev.smartflow.providers.translate.ChatChunks;
import java.time.InstantSource;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Gemini's {@code generateContent} protocol, wherever it is served: Google AI's Gemini API ({@link GeminiProvider})
 * or Vertex AI, whose {@code publishers/google/models/{model}} take the same bodies and stream the same events under
 * other URLs and credentials. The translation ({@link GeminiMapper}, {@link GeminiStreamTranslator}) and the error
 * mapping are shared; an {@link Endpoint} says where a model's methods are and how calls there are authorised.
 *
 * <p>Public only so that other protocol packages of this module can serve Gemini; not an API. Thread-safe.
 */
public final class GeminiProtocol {
    private static final Headers JSON_HEADERS = Headers.of("content-type", "application/json");
    private static final Headers SSE_HEADERS = Headers.of("content-type", "text/event-stream");

    /** Where one host of Gemini takes calls, and with which credentials. */
    public interface Endpoint {
        /** The URL of {@code method} ({@code generateContent}, ...) of {@code model}, without query. */
        HttpUrl.Builder method(String model, String method);

        /**
         * The request headers, credentials included.
         *
         * @throws UpstreamFailure if credentials cannot be had (a token exchange that failed)
         */
        okhttp3.Headers headers(String accept);
    }

    private final String name;
    private final ProviderSettings settings;
    private final HttpTransport transport;
    private final InstantSource clock;
    private final GeminiErrors errors;

    /**
     * @param settings names the provider in failures and gives its deadlines
     * @param scrubber masks the host's secrets in error messages
     */
    public GeminiProtocol(ProviderSettings settings, HttpTransport transport, InstantSource clock, Scrubber scrubber) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.name = settings.name();
        this.errors = new GeminiErrors(name, scrubber);
    }

    /** The model id Gemini's paths take: a {@code models/} resource prefix, if the caller wrote one, is dropped. */
    public static String upstreamModel(String model) {
        return GeminiMapper.upstreamModel(model);
    }

    /**
     * Serves an OpenAI chat request through {@code generateContent}, or {@code streamGenerateContent?alt=sse} for a
     * stream.
     *
     * @throws InvalidRequest  if the request cannot be expressed in Gemini's shape
     * @throws UpstreamFailure if the upstream fails, times out or answers garbage
     */
    public Response chat(Exchange exchange, String model, Endpoint endpoint) {
        Body body = Body.of(GeminiMapper.toGenerateContentRequest(exchange.body().json()));
        boolean streaming = exchange.streaming();
        HttpUrl.Builder url = endpoint.method(model, streaming ? "streamGenerateContent" : "generateContent");
        if (streaming) {
            url.addQueryParameter("alt", "sse");
        }
        Request request = new Request.Builder()
                .url(url.build())
                .headers(endpoint.headers(streaming ? "text/event-stream" : "application/json"))
                .post(UpstreamHttp.json(body))
                .build();
        Call call = transport.client().newCall(request);
        Deadline deadline = transport.deadline(call, settings.timeout(), exchange);
        return UpstreamHttp.send(name, call, deadline, errors::fromStatus, response -> {
            long created = clock.instant().getEpochSecond();
            if (streaming && UpstreamHttp.isEventStream(response)) {
                SseCall events = new SseCall(name, call, response, deadline, settings.streamIdleTimeout());
                return new Response.Streamed(200, SSE_HEADERS, new GeminiStreamTranslator(events, name, errors, model,
                        created, ChatChunks.usageChunkWanted(exchange)));
            }
            JsonNode answer = UpstreamHttp.readJson(name, response, deadline, "answer").json();
            if (!answer.isObject()) {
                throw UpstreamFailure.io(name, "answer is not a JSON object", null);
            }
            return new Response.Complete(200, JSON_HEADERS, Body.of(GeminiMapper.toChatCompletion(answer, model,
                    created)));
        });
    }

    /** Turns a Google error answer into the failure to throw; for the hosts' own calls (lists, embeddings). */
    public UpstreamFailure fromStatus(int status, byte[] body) {
        return errors.fromStatus(status, body);
    }
}
