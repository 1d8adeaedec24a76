package dev.smartflow.providers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.ClientClosed;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.Upload;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.Okio;
import okio.Source;

/**
 * The HTTP steps every provider adapter takes the same way: sending a {@link Body}, executing a call under its
 * {@link Deadline}, reading a JSON answer or the start of an error body, and telling a timeout from a broken
 * connection. For adapters only; public because the protocol packages are subpackages. Stateless and thread-safe.
 *
 * <pre>{@code
 * Call call = transport.client().newCall(request.post(UpstreamHttp.json(body)).build());
 * Deadline deadline = transport.deadline(call, timeout, exchange);
 * return UpstreamHttp.send(name, call, deadline, errors::fromStatus, response ->
 *         new Response.Complete(200, JSON_HEADERS, UpstreamHttp.readJson(name, response, deadline, "answer")));
 * }</pre>
 */
public final class UpstreamHttp {
    /** The {@code User-Agent} every adapter sends. */
    public static final String USER_AGENT = "smartflow/0.1";
    /** Error bodies are read this far and no further: they only feed a message. */
    public static final int MAX_ERROR_BYTES = 64 * 1024;

    private static final MediaType JSON = MediaType.get("application/json");

    private UpstreamHttp() {
    }

    /** How a protocol reads an error answer: its status and the start of its body become the failure to throw. */
    @FunctionalInterface
    public interface StatusErrors {
        UpstreamFailure fromStatus(int status, byte[] body);
    }

    /**
     * How a protocol that names its errors in headers (AWS's {@code x-amzn-ErrorType}) reads an error answer: its
     * status, headers and the start of its body become the failure to throw.
     */
    @FunctionalInterface
    public interface HeaderedErrors {
        UpstreamFailure fromStatus(int status, okhttp3.Headers headers, byte[] body);
    }

    /**
     * As {@link #send}, for a protocol whose error answers are read with their headers.
     *
     * @throws UpstreamFailure if the call fails or times out, as {@code errors} maps an error status, or as
     *                         {@code answer} throws
     * @throws ClientClosed    if the call was cancelled because the exchange's caller went away
     */
    public static Response sendWithErrorHeaders(String provider, Call call, Deadline deadline, HeaderedErrors errors,
                                                Function<okhttp3.Response, Response> answer) {
        okhttp3.Response response = execute(provider, call, deadline);
        boolean handedOver = false;
        try {
            if (!response.isSuccessful()) {
                throw errors.fromStatus(response.code(), response.headers(), errorBody(response))
                        .withRetryAfter(retryAfter(response));
            }
            Response result = answer.apply(response);
            handedOver = result instanceof Response.Streamed;
            return result;
        } finally {
            if (!handedOver) {
                response.close();
                deadline.close();
            }
        }
    }

    /**
     * Executes {@code call} and lets {@code answer} make the adapter's response of a successful one. Afterwards the
     * upstream's response and the deadline are closed, unless {@code answer} returned a {@link Response.Streamed},
     * which takes both over; they are closed on every failure too.
     *
     * @throws UpstreamFailure if the call fails or times out, as {@code errors} maps an error status, or as
     *                         {@code answer} throws
     * @throws ClientClosed    if the call was cancelled because the exchange's caller went away
     */
    public static Response send(String provider, Call call, Deadline deadline, StatusErrors errors,
                                Function<okhttp3.Response, Response> answer) {
        return sendWithErrorHeaders(provider, call, deadline, (status, headers, body) -> errors.fromStatus(status, body),
                answer);
    }

    /**
     * Sends {@code request} and reads its JSON answer, as {@link #readJson} does, all within {@code timeout}; the
     * response and the deadline are closed before this returns.
     *
     * @throws UpstreamFailure if the call fails or times out, as {@code errors} maps an error status, or if the answer
     *                         is not JSON
     */
    public static Body fetchJson(String provider, HttpTransport transport, Request request, Duration timeout,
                                 StatusErrors errors, String what) {
        return fetchJsonWithErrorHeaders(provider, transport, request, timeout,
                (status, headers, body) -> errors.fromStatus(status, body), what);
    }

    /** As {@link #fetchJson}, for a protocol whose error answers are read with their headers. */
    public static Body fetchJsonWithErrorHeaders(String provider, HttpTransport transport, Request request,
                                                 Duration timeout, HeaderedErrors errors, String what) {
        Call call = transport.client().newCall(request);
        try (Deadline deadline = transport.deadline(call, timeout);
             okhttp3.Response response = execute(provider, call, deadline)) {
            if (!response.isSuccessful()) {
                throw errors.fromStatus(response.code(), response.headers(), errorBody(response))
                        .withRetryAfter(retryAfter(response));
            }
            return readJson(provider, response, deadline, what);
        }
    }

    /**
     * The {@code data} array of a list answer ({@code {"data":[...]}}, as OpenAI and Anthropic both send), fetched as
     * {@link #fetchJson} does.
     *
     * @throws UpstreamFailure as {@link #fetchJson} does, or if the answer has no {@code data} array
     */
    public static JsonNode fetchList(String provider, HttpTransport transport, Request request, Duration timeout,
                                     StatusErrors errors, String what) {
        JsonNode data = fetchJson(provider, transport, request, timeout, errors, what).json().path("data");
        if (!data.isArray()) {
            throw UpstreamFailure.io(provider, what + " has no data array", null);
        }
        return data;
    }

    /** {@code body} as a JSON request body. */
    public static RequestBody json(Body body) {
        return new JsonRequestBody(Objects.requireNonNull(body, "body"));
    }

    /**
     * {@code upload} as a request body, read from its source while it is sent: never held in memory whole. Repeatable
     * (each write opens the source afresh), so OkHttp may retry it on a stale connection.
     */
    public static RequestBody upload(Upload upload) {
        return new UploadRequestBody(Objects.requireNonNull(upload, "upload"));
    }

    /**
     * The body as sent, or a copy with {@code model} replaced when routing changed the name (a prefix stripped). The
     * copy shares everything but the top level with the caller's body: a large body is not copied twice.
     */
    public static Body withModel(Body body, String model) {
        if (body.text("model").filter(model::equals).isPresent()) {
            return body;
        }
        return body.editTopLevel(o -> o.put("model", model));
    }

    /**
     * Reads the whole body and checks it parses; the parsed tree stays cached in the {@link Body} for later stages.
     *
     * @param what names the answer in failure messages, e.g. {@code "model list"}
     * @throws UpstreamFailure if the body cannot be read, is longer than {@link #MAX_ANSWER_BYTES} (read no further,
     *                         so a runaway upstream cannot fill the heap), is empty or is not JSON
     */
    public static Body readJson(String provider, okhttp3.Response response, Deadline deadline, String what) {
        Body body = readBytes(provider, response, deadline, what);
        try {
            if (body.json().isMissingNode()) {
                throw UpstreamFailure.io(provider, what + " is empty", null);
            }
        } catch (InvalidRequest e) {
            throw UpstreamFailure.io(provider, what + " is not JSON", e);
        }
        return body;
    }

    /** Upstream answers (JSON, or a transcript as text, say) are read this far and no further. */
    public static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

    /**
     * Reads the whole body as it is, for answers that are not JSON.
     *
     * @throws UpstreamFailure if the body cannot be read or is longer than {@link #MAX_ANSWER_BYTES}
     */
    public static Body readBytes(String provider, okhttp3.Response response, Deadline deadline, String what) {
        try {
            BufferedSource source = response.body().source();
            if (source.request(MAX_ANSWER_BYTES + 1L)) {
                throw UpstreamFailure.io(provider, what + " is larger than " + MAX_ANSWER_BYTES + " bytes", null);
            }
            return Body.wrap(source.readByteArray());
        } catch (IOException e) {
            throw failure(provider, e, deadline, "connection lost while reading the " + what);
        }
    }

    /**
     * An error body or event read as JSON if it is JSON, else the missing node (never {@code null}): upstreams answer
     * errors in JSON, HTML or plain text, and every protocol's error mapper falls back to the text.
     */
    public static JsonNode lenientJson(byte[] bytes) {
        try {
            JsonNode json = Body.MAPPER.readTree(bytes);
            return json == null ? Body.MAPPER.missingNode() : json;
        } catch (IOException e) {
            return Body.MAPPER.missingNode();
        }
    }

    /** True when the answer is a {@code text/event-stream}. */
    public static boolean isEventStream(okhttp3.Response response) {
        String type = response.header("Content-Type");
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
    }

    /**
     * The 400 for an operation {@code provider} does not serve. Anthropic's {@code count_tokens} gets a message of its
     * own: only Anthropic counts tokens, so the caller learns that the model, not the request, is the problem.
     */
    public static InvalidRequest unsupported(String provider, Operation operation) {
        String message = operation == Operation.ANTHROPIC_COUNT_TOKENS
                ? "provider '" + provider + "' cannot count tokens: /v1/messages/count_tokens is served for Anthropic"
                        + " models only"
                : "provider '" + provider + "' does not serve " + operation;
        return new InvalidRequest(message, "unsupported_operation", operation.routed() ? "model" : null);
    }

    /**
     * Parses a configured API base URL. The text is left out of the message: a base may carry a credential.
     *
     * @throws IllegalArgumentException if {@code text} is not an http or https URL
     */
    public static HttpUrl parseBase(String provider, String text) {
        HttpUrl url = HttpUrl.parse(text);
        if (url == null) {
            throw new IllegalArgumentException("provider '" + provider + "': the API base is not an http or https URL");
        }
        return url;
    }

    /**
     * Checks that {@code key} can go in a header. OkHttp would reject such a key too, but its message quotes the value
     * of headers it does not know as secret.
     *
     * @throws IllegalArgumentException naming the index of the first character a header cannot carry
     */
    public static void requireHeaderSafe(String provider, String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("provider '" + provider + "': the API key has a character at index "
                        + i + " that an HTTP header cannot carry");
            }
        }
    }

    /**
     * Executes {@code call}, which {@code deadline} watches. On failure the deadline is closed and the failure thrown;
     * on success the caller owns both the response and the deadline.
     */
    private static okhttp3.Response execute(String provider, Call call, Deadline deadline) {
        try {
            return call.execute();
        } catch (RuntimeException e) {
            // OkHttp fails on some malformed answers with an unchecked exception (a Retry-After it cannot parse):
            // still the upstream's fault, never a 500 of ours
            deadline.close();
            throw UpstreamFailure.io(provider, "the upstream sent an answer that cannot be read", e);
        } catch (IOException e) {
            deadline.close();
            // Only a failure to connect means the upstream was never reached; anything later broke an answer the
            // upstream had begun (its status line or headers cut short).
            boolean unreached = e instanceof ConnectException || e instanceof UnknownHostException
                    || e instanceof NoRouteToHostException;
            throw failure(provider, e, deadline, unreached ? "cannot reach the upstream"
                    : "the upstream closed the connection before its answer was complete");
        }
    }

    /** The longest wait an upstream may ask for that routing honours. */
    private static final long MAX_RETRY_AFTER_MS = 600_000;

    /**
     * How long the upstream asked to wait: OpenAI's {@code retry-after-ms}, else {@code Retry-After} in seconds (a date
     * form is ignored: it would need the upstream's clock).
     */
    static Optional<Duration> retryAfter(okhttp3.Response response) {
        Optional<Duration> millis = number(response.header("retry-after-ms")).map(Duration::ofMillis);
        return millis.isPresent() ? millis
                : number(response.header("Retry-After")).map(s -> Duration.ofMillis(Math.min(s * 1000, MAX_RETRY_AFTER_MS)));
    }

    private static Optional<Long> number(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            double value = Double.parseDouble(text.trim());
            return value >= 0 && value <= MAX_RETRY_AFTER_MS ? Optional.of((long) Math.ceil(value))
                    : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The first {@link #MAX_ERROR_BYTES} of an error body; what cannot be read is left out. */
    private static byte[] errorBody(okhttp3.Response response) {
        try {
            BufferedSource source = response.body().source();
            source.request(MAX_ERROR_BYTES);
            return source.readByteArray(Math.min(source.getBuffer().size(), MAX_ERROR_BYTES));
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /**
     * What a failed read or write of a call means: a {@link ClientClosed} if the call was cancelled because its
     * caller went away, a timeout if the deadline passed, otherwise an I/O failure described by {@code what}. For
     * adapters and streams that read a call's answer themselves.
     */
    public static SmartflowException failure(String provider, IOException e, Deadline deadline, String what) {
        if (deadline.abandoned()) {
            return new ClientClosed(provider + " call", e);
        }
        // A connect timeout is OkHttp's own; every other timeout is our watchdog cancelling the call.
        if (deadline.expired() || e instanceof SocketTimeoutException) {
            return UpstreamFailure.timeout(provider, e);
        }
        return UpstreamFailure.io(provider, what, e);
    }

    private static final class UploadRequestBody extends RequestBody {
        private final Upload upload;
        private final MediaType type;

        UploadRequestBody(Upload upload) {
            this.upload = upload;
            MediaType parsed = MediaType.parse(upload.contentType());
            this.type = parsed == null ? MediaType.get("application/octet-stream") : parsed;
        }

        @Override
        public MediaType contentType() {
            return type;
        }

        @Override
        public long contentLength() {
            return upload.size();
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            try (Source source = Okio.source(upload.open())) {
                sink.writeAll(source);
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
