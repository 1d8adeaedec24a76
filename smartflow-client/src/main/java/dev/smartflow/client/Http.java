package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The client's wire: one OkHttp client for every service of the gateway, the key on every request, the timeout,
 * retries per {@link RetryPolicy}, and error answers turned into {@link SmartflowException}s.
 *
 * <p>A plain call is bounded as a whole by the timeout (OkHttp's call timeout); a stream only between bytes (read
 * timeout), since a long answer may stream for longer than any sensible call timeout.
 */
final class Http implements AutoCloseable {
    static final MediaType JSON = MediaType.get("application/json");

    /** The gateway's services, each on its own port. */
    enum Service { PROXY, MANAGEMENT, COMPLIANCE, POLICY, BRIDGE }

    /** An answer read whole. */
    record Answer(int status, Headers headers, byte[] body) {
        JsonNode json() {
            try {
                return Json.parse(body);
            } catch (IOException e) {
                throw new SmartflowException("the gateway answered " + status + " with a body that is not JSON",
                        status, "invalid_response", null, null, headers.get(Errors.REQUEST_ID), e);
            }
        }
    }

    private final OkHttpClient client;
    private final boolean ownsClient;
    private final Map<Service, HttpUrl> bases;
    private final Optional<String> apiKey;
    private final Duration timeout;
    private final RetryPolicy retries;
    private final Sleeper sleeper;
    private final InstantSource clock;

    Http(OkHttpClient shared, Map<Service, HttpUrl> bases, Optional<String> apiKey, Duration timeout,
         RetryPolicy retries, Sleeper sleeper, InstantSource clock) {
        this.ownsClient = shared == null;
        OkHttpClient base = shared == null ? new OkHttpClient() : shared;
        this.client = base.newBuilder()
                .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .callTimeout(0, TimeUnit.MILLISECONDS)
                .retryOnConnectionFailure(false)
                .build();
        this.bases = new EnumMap<>(bases);
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.retries = retries;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    HttpUrl base(Service service) {
        return bases.get(service);
    }

    /** {@code fixedPath} (segments as written, e.g. {@code api/cache/stats}) then {@code segments}, each encoded. */
    HttpUrl.Builder url(Service service, String fixedPath, String... segments) {
        HttpUrl.Builder url = bases.get(service).newBuilder();
        String trimmed = fixedPath.startsWith("/") ? fixedPath.substring(1) : fixedPath;
        if (!trimmed.isEmpty()) {
            url.addPathSegments(trimmed);
        }
        for (String segment : segments) {
            url.addPathSegment(Objects.requireNonNull(segment, "path segment"));
        }
        return url;
    }

    Request.Builder request(HttpUrl url) {
        Request.Builder request = new Request.Builder().url(url).header("Accept", "application/json");
        apiKey.ifPresent(key -> request.header("Authorization", "Bearer " + key));
        return request;
    }

    /** The key, for routes that read it from {@code x-api-key} (Anthropic's). */
    Optional<String> apiKey() {
        return apiKey;
    }

    static RequestBody json(JsonNode body) {
        return RequestBody.create(body.toString(), JSON);
    }

    JsonNode getJson(HttpUrl url) {
        return send(request(url).get().build()).json();
    }

    JsonNode postJson(HttpUrl url, JsonNode body) {
        return send(request(url).post(json(body)).build()).json();
    }

    JsonNode sendJson(String method, HttpUrl url, JsonNode body) {
        return send(request(url).method(method, body == null ? null : json(body)).build()).json();
    }

    /**
     * Sends a plain call (retrying per the policy) and reads its answer whole.
     *
     * @throws SmartflowException for an error answer or a transport failure
     */
    Answer send(Request request) {
        try (Response response = execute(request, false)) {
            ResponseBody body = response.body();
            return new Answer(response.code(), response.headers(), body.bytes());
        } catch (IOException e) {
            throw Errors.fromIo(e, describe(request));
        }
    }

    /**
     * Opens a streamed answer (retrying per the policy until it begins); the caller closes the response.
     *
     * @throws SmartflowException for an error answer or a transport failure
     */
    Response open(Request request) {
        return execute(request, true);
    }

    private Response execute(Request request, boolean streaming) {
        for (int attempt = 0; ; attempt++) {
            Response response;
            try {
                Call call = client.newCall(request);
                if (!streaming) {
                    call.timeout().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
                }
                response = call.execute();
            } catch (ConnectException e) {
                if (attempt < retries.maxRetries()) {
                    pause(retries.backoff(attempt + 1));
                    continue;
                }
                throw Errors.fromIo(e, describe(request));
            } catch (IOException e) {
                throw Errors.fromIo(e, describe(request));
            }
            if (response.isSuccessful()) {
                return response;
            }
            Optional<Duration> wait = retries.statuses().contains(response.code()) && attempt < retries.maxRetries()
                    ? retryWait(response, attempt + 1) : Optional.empty();
            if (wait.isPresent()) {
                response.close();
                pause(wait.get());
                continue;
            }
            throw failure(response, request);
        }
    }

    /** How long to wait before retry {@code retry}; empty when the gateway asks for longer than the policy allows. */
    private Optional<Duration> retryWait(Response response, int retry) {
        Optional<Duration> asked = Errors.retryAfter(response.headers(), clock.instant());
        if (asked.isPresent()) {
            return asked.get().compareTo(retries.maxRetryAfter()) > 0 ? Optional.empty() : asked;
        }
        return Optional.of(retries.backoff(retry));
    }

    private SmartflowException failure(Response response, Request request) {
        try (response) {
            JsonNode body;
            try {
                body = Json.parse(response.body().bytes());
            } catch (IOException e) {
                body = Json.object();
            }
            return Errors.fromAnswer(response.code(), response.headers(), body, clock.instant());
        } catch (RuntimeException e) {
            return new SmartflowException(describe(request) + " failed with HTTP " + response.code(),
                    response.code(), "", null, null, response.header(Errors.REQUEST_ID), e);
        }
    }

    private void pause(Duration wait) {
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SmartflowConnectionException("interrupted while waiting to retry", e);
        }
    }

    /** The method and path, never the query (which may name users) or a key. */
    private static String describe(Request request) {
        return request.method() + " " + request.url().encodedPath();
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }
}
