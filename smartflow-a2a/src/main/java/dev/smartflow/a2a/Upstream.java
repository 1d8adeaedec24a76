package dev.smartflow.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.HttpTransport;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * HTTP to the agents: every request carries the agent's credential (kept server-side; never logged), the protocol
 * revision spoken ({@code A2A-Version}) and, for a call of an exchange, its trace as {@code x-a2a-trace-id} and
 * {@code traceparent}, so the agent's logs join the gateway's. Failures become {@link A2aError}s: a timeout
 * {@code -31504}, a refused or broken connection {@code -31502}, an answer that is not JSON {@code -32006}.
 *
 * <p>Thread-safe.
 */
final class Upstream {
    static final MediaType JSON = MediaType.get("application/json");
    static final MediaType A2A_JSON = MediaType.get("application/a2a+json");
    private static final long MAX_ANSWER_BYTES = 16L * 1024 * 1024;

    private final HttpTransport http;
    private final Duration timeout;

    Upstream(HttpTransport http, Duration timeout) {
        this.http = http;
        this.timeout = timeout;
    }

    Duration timeout() {
        return timeout;
    }

    /** A request to the agent, with its credential and, when given, the exchange's trace. */
    static Request.Builder request(Agents.Entry entry, String url, Wire.Version version, Optional<Exchange> exchange) {
        Request.Builder request = new Request.Builder().url(url).header("A2A-Version", version.header);
        AgentDefinition definition = entry.definition();
        entry.secret().ifPresent(secret -> {
            switch (definition.auth()) {
                case BEARER -> request.header("Authorization", "Bearer " + secret);
                case API_KEY -> request.header(definition.authHeader().orElse("X-API-Key"), secret);
                case NONE -> { }
            }
        });
        exchange.ifPresent(e -> {
            String trace = e.traceId().value();
            request.header("x-a2a-trace-id", trace);
            request.header("traceparent", "00-" + e.traceId().w3c() + "-" + spanId() + "-01");
        });
        return request;
    }

    static RequestBody json(JsonNode body, MediaType type) {
        return RequestBody.create(Body.of(body).bytes(), type);
    }

    /** A status and the JSON the agent answered (missing when the body was empty). */
    record Reply(int status, Optional<JsonNode> json) {
    }

    /**
     * Sends and reads the whole answer.
     *
     * @throws A2aError on a timeout, a broken connection, or a body that is not JSON
     */
    Reply exchange(Request request, Optional<Exchange> exchange) {
        Call call = http.client().newCall(request);
        Deadline deadline = exchange.map(e -> http.deadline(call, timeout, e))
                .orElseGet(() -> http.deadline(call, timeout));
        try (deadline; Response response = call.execute()) {
            byte[] bytes = read(response);
            if (bytes.length == 0) {
                return new Reply(response.code(), Optional.empty());
            }
            try {
                return new Reply(response.code(), Optional.of(Body.MAPPER.readTree(bytes)));
            } catch (IOException e) {
                if (response.isSuccessful()) {
                    throw A2aError.of(A2aError.INVALID_AGENT_RESPONSE, "the agent answered something that is not "
                            + "JSON").withStatus(502);
                }
                return new Reply(response.code(), Optional.empty());
            }
        } catch (IOException e) {
            throw failure(deadline, e);
        }
    }

    /**
     * Sends and hands back the open response (the caller closes it, and its deadline); a stream's reader moves the
     * deadline on after each event, so the timeout bounds the silence between events, not the whole stream.
     */
    Open open(Request request, Exchange exchange) {
        Call call = http.client().newCall(request);
        Deadline deadline = http.deadline(call, timeout, exchange);
        try {
            return new Open(call.execute(), deadline);
        } catch (IOException e) {
            deadline.close();
            throw failure(deadline, e);
        }
    }

    record Open(Response response, Deadline deadline) implements AutoCloseable {
        @Override
        public void close() {
            response.close();
            deadline.close();
        }
    }

    static A2aError failure(Deadline deadline, IOException e) {
        if (deadline.expired()) {
            return A2aError.of(A2aError.UPSTREAM_TIMEOUT, "the agent did not answer in time");
        }
        if (deadline.abandoned()) {
            return A2aError.of(A2aError.UPSTREAM_FAILED, "the caller went away").because("client_closed");
        }
        return A2aError.of(A2aError.UPSTREAM_FAILED, "the agent cannot be reached ("
                + e.getClass().getSimpleName() + ")");
    }

    private static byte[] read(Response response) throws IOException {
        try (InputStream in = response.body().byteStream()) {
            byte[] bytes = in.readNBytes((int) MAX_ANSWER_BYTES + 1);
            if (bytes.length > MAX_ANSWER_BYTES) {
                throw A2aError.of(A2aError.INVALID_AGENT_RESPONSE, "the agent's answer is larger than "
                        + MAX_ANSWER_BYTES + " bytes").withStatus(502);
            }
            return bytes;
        }
    }

    private static String spanId() {
        long span = java.util.concurrent.ThreadLocalRandom.current().nextLong();
        return String.format("%016x", span == 0 ? 1 : span);
    }
}
