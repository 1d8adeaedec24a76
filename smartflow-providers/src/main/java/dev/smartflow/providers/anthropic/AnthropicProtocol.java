package dev.smartflow.providers.anthropic;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.LlmOperation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.Scrubber;
import dev.smartflow.providers.UpstreamHttp;
import dev.smartflow.providers.translate.ChatChunks;
import java.time.InstantSource;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Anthropic's Messages protocol, wherever it is served: Anthropic's own API ({@link AnthropicProvider}) or a cloud
 * that hosts Claude behind its own URLs and credentials (Vertex AI's {@code rawPredict}). The protocol part is the
 * same everywhere: the OpenAI chat request translated to a Messages request ({@link AnthropicMapper}), a native
 * Messages request passed through, the answer or the event stream translated back or relayed untouched. What differs
 * is said by an {@link Endpoint}: the URL, the credentials, and how the body names the model and the API version.
 *
 * <p>Public only so that other protocol packages of this module can serve Claude; not an API. Thread-safe.
 */
public final class AnthropicProtocol {
    private static final Headers JSON_HEADERS = Headers.of("content-type", "application/json");
    private static final Headers SSE_HEADERS = Headers.of("content-type", "text/event-stream");

    /** Where and how one host of Claude takes Messages calls. */
    public interface Endpoint {
        /**
         * The URL of {@code operation} for {@code model}.
         *
         * @throws InvalidRequest if this host does not serve the operation
         */
        HttpUrl url(LlmOperation operation, String model, boolean streaming);

        /** The Messages request as this host wants it: {@code messages} names the model in its {@code model} field. */
        Body body(Body messages, String model);

        /**
         * The request headers: credentials, the API version, and for a native caller ({@code passthrough}) its
         * {@code anthropic-beta} (and version, where the host takes it in a header).
         *
         * @throws UpstreamFailure if credentials cannot be had (a token exchange that failed)
         */
        okhttp3.Headers headers(String accept, Exchange exchange, boolean passthrough);
    }

    private final String name;
    private final ProviderSettings settings;
    private final HttpTransport transport;
    private final InstantSource clock;
    private final AnthropicErrors errors;

    /**
     * @param settings names the provider in failures and gives its deadlines
     * @param scrubber masks the host's secrets in error messages
     */
    public AnthropicProtocol(ProviderSettings settings, HttpTransport transport, InstantSource clock,
                             Scrubber scrubber) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.name = settings.name();
        this.errors = new AnthropicErrors(name, scrubber);
    }

    /**
     * Serves chat (translated), Messages and count_tokens (passed through) at {@code endpoint}.
     *
     * @throws InvalidRequest  if the operation is none of those, the endpoint does not serve it, or the chat request
     *                         cannot be expressed in Anthropic's shape
     * @throws UpstreamFailure if the upstream fails, times out or answers garbage
     */
    public Response call(Exchange exchange, String model, Endpoint endpoint) {
        String upstreamModel = AnthropicMapper.upstreamModel(model);
        boolean streaming = exchange.streaming();
        LlmOperation operation = (LlmOperation) exchange.operation(); // providers serve model endpoints only
        Body messages = switch (operation) {
            case CHAT -> Body.of(AnthropicMapper.toMessagesRequest(exchange.body().json(), upstreamModel));
            case ANTHROPIC_MESSAGES, ANTHROPIC_COUNT_TOKENS -> UpstreamHttp.withModel(exchange.body(), upstreamModel);
            default -> throw UpstreamHttp.unsupported(name, operation);
        };
        boolean translate = operation == LlmOperation.CHAT;
        HttpUrl url = endpoint.url(operation, upstreamModel, streaming);
        Body body = endpoint.body(messages, upstreamModel);
        Request request = new Request.Builder()
                .url(url)
                .headers(endpoint.headers(streaming ? "text/event-stream" : "application/json", exchange, !translate))
                .post(UpstreamHttp.json(body))
                .build();
        Call call = transport.client().newCall(request);
        Deadline deadline = transport.deadline(call, settings.timeout(), exchange);
        return UpstreamHttp.send(name, call, deadline, errors::fromStatus, response -> {
            long created = clock.instant().getEpochSecond();
            if (streaming && UpstreamHttp.isEventStream(response)) {
                AnthropicEvents events = new AnthropicEvents(name, call, response, deadline,
                        settings.streamIdleTimeout(), errors);
                return new Response.Streamed(200, SSE_HEADERS, translate
                        ? new AnthropicStreamTranslator(events, name, upstreamModel, created,
                                ChatChunks.usageChunkWanted(exchange))
                        : new AnthropicEventStream(events));
            }
            Body answer = UpstreamHttp.readJson(name, response, deadline, "answer");
            if (translate) {
                answer = Body.of(AnthropicMapper.toChatCompletion(answer.json(), created));
            }
            return new Response.Complete(200, JSON_HEADERS, answer);
        });
    }

    /** Turns an error answer of this protocol into the failure to throw; for list calls of the hosts. */
    public UpstreamFailure fromStatus(int status, byte[] body) {
        return errors.fromStatus(status, body);
    }
}
