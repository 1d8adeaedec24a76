package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.providers.Deadline;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.sse.SseDecoder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
import okio.Okio;

/**
 * An upstream on the deprecated HTTP+SSE transport of MCP 2024-11-05: the client opens an SSE stream with a
 * {@code GET}, the server's first event ({@code endpoint}) names the URL to {@code POST} messages to, and every answer
 * comes back on the stream, matched to its request by id.
 *
 * <p><b>One stream per owner.</b> The server keeps its session on the stream, so each owner (one client session, or
 * one caller of the stateless revision) gets a stream of its own, opened at its first request with the
 * {@code initialize} handshake; one owner's upstream state never reaches another. Unlike a Streamable HTTP session,
 * the stream cannot move between instances: an owner whose requests land on another instance gets another stream (and
 * upstream session) there. Streams idle longer than the session TTL, or of a client whose session ended, are closed.
 *
 * <p><b>Failures.</b> A stream that drops fails the requests waiting on it (-31502, their outcome is unknown) and is
 * opened again at the owner's next request; a POST refused with 404 (the server forgot the session) reopens it and
 * sends the request again, once. An {@code endpoint} on another origin than the stream's is refused (the gateway's
 * credentials go only where they were registered for). Data that is not JSON is garbage: the waiting requests fail
 * with -31502 and the stream is closed. A request without an answer within its timeout is -31504 and is cancelled
 * upstream with {@code notifications/cancelled}, as is one whose client cancelled it or went away.
 *
 * <p>Notifications on the stream refresh the catalog (list changes) and reach the calls waiting on it that asked for
 * them ({@link UpstreamCall#listener()}): progress by its token, log messages to every call of the owner in flight.
 * Requests the server sends (sampling, elicitation, roots) are refused: the gateway offers no client features upstream.
 *
 * <p>Thread-safe; a reader virtual thread per stream.
 */
final class SseUpstream implements Upstream {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final int MAX_STREAMS = 1024;
    private static final System.Logger LOG = System.getLogger(SseUpstream.class.getName());

    private final String serverId;
    private final URI url;
    private final UpstreamAuth auth;
    private final HttpTransport http;
    private final long maxBytes;
    private final Duration idle;
    private final InstantSource clock;
    private final Consumer<String> onNotification;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final Map<String, Consumer<ObjectNode>> watches = new ConcurrentHashMap<>();
    private volatile Optional<ServerFacts> facts = Optional.empty();
    private volatile boolean closed;

    /**
     * @param idle           how long an owner's unused stream stays open
     * @param onNotification told of each notification the upstream sent (its method)
     */
    SseUpstream(String serverId, URI url, UpstreamAuth auth, HttpTransport http, long maxBytes, Duration idle,
                InstantSource clock, Consumer<String> onNotification) {
        this.serverId = Objects.requireNonNull(serverId, "serverId");
        this.url = Objects.requireNonNull(url, "url");
        this.auth = Objects.requireNonNull(auth, "auth");
        this.http = Objects.requireNonNull(http, "http");
        this.maxBytes = maxBytes;
        this.idle = Objects.requireNonNull(idle, "idle");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.onNotification = Objects.requireNonNull(onNotification, "onNotification");
    }

    /** The server forgot the stream's session (a 404 on a POST), or the stream was gone before the POST. */
    private static final class StreamGone extends RuntimeException {
        StreamGone() {
            super("the upstream's SSE session is gone", null, false, false);
        }
    }

    /** An owner's place: its stream, opened under the lock so that two requests do not open two. */
    private static final class Slot {
        final ReentrantLock lock = new ReentrantLock();
        volatile Stream stream;
    }

    /** A request waiting for its answer on the stream. */
    private record Pending(CompletableFuture<ObjectNode> answer, UpstreamCall call) {
    }

    @Override
    public ObjectNode request(UpstreamCall call) {
        for (int attempt = 0; ; attempt++) {
            Stream stream = stream(call);
            try {
                return stream.request(call.method(), withTrace(call), call);
            } catch (StreamGone e) {
                stream.close(failed("its session ended").because("upstream_broken"));
                if (attempt > 0) {
                    throw failed("the upstream dropped its SSE session twice in a row").because("upstream_broken");
                }
            }
        }
    }

    @Override
    public ServerFacts facts(UpstreamCall call) {
        Optional<ServerFacts> known = facts;
        if (known.isPresent()) {
            return known.get();
        }
        stream(call);
        return facts.orElseThrow(() -> failed("the upstream did not complete its handshake"));
    }

    /** The owner's stream carries its resource updates: opened now if need be, and not swept as idle while watched. */
    @Override
    public void watch(UpstreamCall call, Consumer<ObjectNode> sink) {
        watches.put(call.owner(), sink);
        stream(call);
    }

    @Override
    public void unwatch(String owner) {
        watches.remove(owner);
    }

    @Override
    public void release(String owner) {
        watches.remove(owner);
        Slot slot = slots.remove(owner);
        if (slot != null && slot.stream != null) {
            slot.stream.close(failed("the client's session ended").because("client_closed"));
        }
    }

    @Override
    public void close() {
        closed = true;
        for (String owner : List.copyOf(slots.keySet())) {
            release(owner);
        }
        facts = Optional.empty();
    }

    /** Number of open streams; for tests. */
    int openStreams() {
        return (int) slots.values().stream().filter(s -> s.stream != null && s.stream.alive).count();
    }

    /** The owner's live stream, opened (and initialized) when it has none. */
    private Stream stream(UpstreamCall call) {
        if (closed) {
            throw failed("the server's registration changed").because("upstream_closed");
        }
        Slot slot = slots.computeIfAbsent(call.owner(), owner -> new Slot());
        slot.lock.lock();
        try {
            Stream current = slot.stream;
            if (current != null && current.alive) {
                current.lastUsed = clock.instant();
                return current;
            }
            sweep(call.owner());
            Stream fresh = open(call);
            slot.stream = fresh;
            try {
                fresh.initialize(call);
            } catch (StreamGone e) {
                fresh.close(failed("its handshake failed"));
                slot.stream = null;
                throw failed("its session ended during the handshake").because("upstream_broken");
            } catch (RuntimeException e) {
                fresh.close(failed("its handshake failed"));
                slot.stream = null;
                throw e;
            }
            return fresh;
        } finally {
            slot.lock.unlock();
        }
    }

    /** Closes other owners' streams idle too long, and the oldest when there are too many. */
    private void sweep(String opening) {
        Instant oldest = clock.instant().minus(idle);
        slots.forEach((owner, slot) -> {
            Stream stream = slot.stream;
            if (!owner.equals(opening) && stream != null
                    && (!stream.alive || stream.lastUsed.isBefore(oldest) && !watches.containsKey(owner))
                    && stream.pending.isEmpty()) {
                if (slots.remove(owner, slot)) {
                    stream.close(failed("idle").because("upstream_idle"));
                }
            }
        });
        if (slots.size() >= MAX_STREAMS) {
            slots.entrySet().stream().filter(e -> !e.getKey().equals(opening) && e.getValue().stream != null)
                    .min(Comparator.comparing(e -> e.getValue().stream.lastUsed))
                    .ifPresent(e -> release(e.getKey()));
        }
    }

    /** Opens the SSE stream and reads its {@code endpoint} event; the reader thread takes the stream from there. */
    private Stream open(UpstreamCall call) {
        Request.Builder builder = new Request.Builder().url(url.toString()).header("Accept", "text/event-stream")
                .get();
        auth.apply(builder, call);
        Call okCall = http.client().newCall(builder.build());
        Deadline deadline = http.deadline(okCall, call.timeout());
        Response response = null;
        try {
            response = okCall.execute();
            int status = response.code();
            if (status == 401 || status == 403) {
                throw unauthorized(status);
            }
            String type = Optional.ofNullable(response.header("Content-Type")).orElse("");
            if (status != 200 || !type.regionMatches(true, 0, "text/event-stream", 0, 17)) {
                throw failed("its SSE endpoint answered HTTP " + status + (status == 200 ? " without an event stream"
                        : "")).because("upstream_http_" + status);
            }
            LimitedSource limited = new LimitedSource(response.body().source(), maxBytes);
            BufferedSource source = Okio.buffer(limited);
            SseDecoder events = new SseDecoder(source);
            SseDecoder.Event first = events.next();
            if (first == null || !first.event().equals("endpoint")) {
                throw failed("its SSE stream did not begin with an 'endpoint' event").because("upstream_garbage");
            }
            URI endpoint = endpoint(new String(first.data(), StandardCharsets.UTF_8).strip());
            limited.reset();
            Stream stream = new Stream(call.owner(), okCall, response, endpoint);
            Thread.ofVirtual().name("mcp-sse-" + serverId).start(() -> stream.read(events, limited));
            return stream;
        } catch (IOException e) {
            if (response != null) {
                response.close();
            }
            if (deadline.expired()) {
                throw RpcError.of(RpcError.UPSTREAM_TIMEOUT, "MCP server '" + serverId + "' did not open its SSE "
                        + "stream within " + call.timeout().toSeconds() + " s").because("upstream_timeout");
            }
            throw failed("its SSE endpoint could not be reached, or broke off").because("upstream_unreachable");
        } catch (RuntimeException e) {
            if (response != null) {
                response.close();
            }
            throw e;
        } finally {
            deadline.close();
        }
    }

    /** The {@code endpoint} event's URL, resolved against the stream's; on the stream's origin only. */
    private URI endpoint(String data) {
        URI resolved;
        try {
            resolved = url.resolve(new URI(data));
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            throw failed("its 'endpoint' event is not a URL").because("upstream_garbage");
        }
        boolean sameOrigin = Objects.equals(resolved.getScheme(), url.getScheme())
                && Objects.equals(resolved.getHost(), url.getHost()) && port(resolved) == port(url)
                && resolved.getRawUserInfo() == null;
        if (!sameOrigin) {
            throw failed("its 'endpoint' event names another origin, which the gateway does not post to")
                    .because("upstream_garbage");
        }
        return resolved;
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static ObjectNode withTrace(UpstreamCall call) {
        ObjectNode params = call.params().deepCopy();
        call.traceparent().ifPresent(trace -> {
            JsonNode meta = params.get("_meta");
            (meta instanceof ObjectNode object ? object : params.putObject("_meta")).put("traceparent", trace);
        });
        return params;
    }

    /** One owner's SSE stream and the requests waiting for their answers on it. */
    private final class Stream {
        final String owner;
        final Call call;
        final Response response;
        final URI endpoint;
        final Map<String, Pending> pending = new ConcurrentHashMap<>();
        volatile boolean alive = true;
        volatile Instant lastUsed = clock.instant();

        Stream(String owner, Call call, Response response, URI endpoint) {
            this.owner = owner;
            this.call = call;
            this.response = response;
            this.endpoint = endpoint;
        }

        /** The handshake: {@code initialize} offering 2024-11-05, then {@code notifications/initialized}. */
        void initialize(UpstreamCall call) {
            ObjectNode params = JsonRpc.NODES.objectNode().put("protocolVersion", ProtocolVersion.V2024_11_05.id());
            params.putObject("capabilities");
            params.set("clientInfo", HttpUpstream.CLIENT_INFO);
            ObjectNode answer = request("initialize", params, call);
            JsonNode result = answer.path("result");
            if (!result.isObject()) {
                throw failed("the upstream refused to initialize: " + answer.path("error").path("message")
                        .asText("no result")).because("upstream_failed");
            }
            String agreed = result.path("protocolVersion").asText("");
            ProtocolVersion version = ProtocolVersion.parse(agreed).filter(v -> !v.modern()).orElseThrow(
                    () -> failed("the upstream speaks MCP " + (agreed.matches("[0-9-]{1,20}") ? agreed
                            : "(unknown)") + ", which the gateway does not").because("upstream_failed"));
            facts = Optional.of(new ServerFacts(version, object(result.path("capabilities")),
                    object(result.path("serverInfo")), result.path("instructions").isTextual()
                    ? Optional.of(result.path("instructions").textValue()) : Optional.empty()));
            post(JsonRpc.notification("notifications/initialized", null), call);
        }

        /** Posts a request and waits for its answer on the stream. */
        ObjectNode request(String method, ObjectNode params, UpstreamCall call) {
            long id = ids.incrementAndGet();
            String key = Long.toString(id);
            CompletableFuture<ObjectNode> answer = new CompletableFuture<>();
            pending.put(key, new Pending(answer, call));
            if (!alive) {
                pending.remove(key);
                throw new StreamGone();
            }
            Optional<Cancellation.Registration> watch = call.cancellation().map(c -> c.onCancel(() ->
                    answer.completeExceptionally(RpcError.of(RpcError.UPSTREAM_FAILED, "the client cancelled the "
                            + "request or went away").because("client_closed"))));
            try {
                post(JsonRpc.request(JsonRpc.NODES.numberNode(id), method, params), call);
                return answer.get(call.timeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                cancelUpstream(id, "the gateway stopped waiting", call);
                throw RpcError.of(RpcError.UPSTREAM_TIMEOUT, "MCP server '" + serverId + "' did not answer within "
                        + call.timeout().toSeconds() + " s").because("upstream_timeout");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RpcError error) {
                    if (error.reason().equals("client_closed")) {
                        cancelUpstream(id, "the client cancelled the request", call);
                    }
                    throw error;
                }
                throw failed("its stream failed").because("upstream_broken");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed("interrupted").because("upstream_failed");
            } finally {
                pending.remove(key);
                watch.ifPresent(Cancellation.Registration::close);
                lastUsed = clock.instant();
            }
        }

        /** Posts one message to the endpoint; the server answers 202 and sends any answer on the stream. */
        void post(ObjectNode message, UpstreamCall call) {
            Request.Builder builder = new Request.Builder().url(endpoint.toString())
                    .post(RequestBody.create(message.toString(), JSON));
            auth.apply(builder, call);
            Call okCall = http.client().newCall(builder.build());
            try (Deadline deadline = http.deadline(okCall, call.timeout()); Response answer = okCall.execute()) {
                int status = answer.code();
                if (status == 404) {
                    throw new StreamGone();
                }
                if (status == 401 || status == 403) {
                    throw unauthorized(status);
                }
                if (status < 200 || status >= 300) {
                    throw failed("its message endpoint answered HTTP " + status).because("upstream_http_" + status);
                }
            } catch (IOException e) {
                throw failed("its message endpoint could not be reached").because("upstream_unreachable");
            }
        }

        /** Tells the upstream to stop working on a request nobody waits for any more (best effort, off-thread). */
        void cancelUpstream(long id, String reason, UpstreamCall call) {
            if (!alive) {
                return;
            }
            ObjectNode params = JsonRpc.NODES.objectNode().put("requestId", id).put("reason", reason);
            UpstreamCall own = UpstreamCall.own(owner, "notifications/cancelled", params, Duration.ofSeconds(5));
            UpstreamCall withToken = new UpstreamCall(own.owner(), own.method(), own.params(), Optional.empty(),
                    call.userToken(), Optional.empty(), Optional.empty(), own.timeout(), Optional.empty());
            Thread.ofVirtual().start(() -> {
                try {
                    post(JsonRpc.notification("notifications/cancelled", params), withToken);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, () -> serverId + ": cancelling upstream failed: " + e);
                }
            });
        }

        /** The reader: answers to their requests, notifications to the catalog and the listening calls. */
        void read(SseDecoder events, LimitedSource limited) {
            RpcError ending = failed("the upstream closed its SSE stream").because("upstream_broken");
            try {
                for (SseDecoder.Event event = events.next(); event != null; event = events.next()) {
                    limited.reset();
                    if (!event.event().isEmpty() && !event.event().equals("message")) {
                        continue;
                    }
                    JsonNode message;
                    try {
                        message = Body.MAPPER.readTree(event.data());
                    } catch (IOException e) {
                        message = null;
                    }
                    if (!(message instanceof ObjectNode object)) {
                        ending = failed("it sent an event that is not a JSON-RPC message").because("upstream_garbage");
                        return;
                    }
                    dispatch(object);
                }
            } catch (IOException e) {
                if (alive) {
                    ending = failed("its SSE stream broke off").because("upstream_broken");
                }
            } finally {
                close(ending);
            }
        }

        private void dispatch(ObjectNode message) {
            if (message.has("method")) {
                if (message.has("id")) {
                    ObjectNode error = JsonRpc.error(message.get("id"), RpcError.of(RpcError.METHOD_NOT_FOUND,
                            "the Smartflow gateway does not offer client features (sampling, elicitation, roots) "
                                    + "upstream"));
                    UpstreamCall own = UpstreamCall.own(owner, "response", JsonRpc.NODES.objectNode(),
                            Duration.ofSeconds(5));
                    Thread.ofVirtual().start(() -> {
                        try {
                            post(error, own);
                        } catch (RuntimeException e) {
                            LOG.log(System.Logger.Level.DEBUG, () -> serverId + ": answering its request: " + e);
                        }
                    });
                    return;
                }
                String method = message.path("method").asText();
                onNotification.accept(method);
                if (method.equals(HttpUpstream.RESOURCE_UPDATED)) {
                    Consumer<ObjectNode> sink = watches.get(owner);
                    if (sink != null) {
                        sink.accept(message);
                    }
                }
                relay(method, message);
                return;
            }
            if (message.has("result") || message.has("error")) {
                Pending waiting = pending.remove(message.path("id").asText());
                if (waiting != null) {
                    waiting.answer().complete(message);
                }
            }
        }

        /** Progress to the call whose token it carries; log messages to every waiting call of the owner. */
        private void relay(String method, ObjectNode message) {
            if (method.equals("notifications/progress")) {
                String token = message.path("params").path("progressToken").asText();
                pending.values().stream().filter(p -> p.call().progressToken().filter(token::equals).isPresent())
                        .forEach(p -> p.call().tell(message));
            } else if (method.equals("notifications/message")) {
                pending.values().forEach(p -> p.call().tell(message));
            }
        }

        /** Ends the stream; the requests still waiting fail with {@code why}. */
        void close(RpcError why) {
            alive = false;
            call.cancel();
            response.close();
            pending.values().forEach(p -> p.answer().completeExceptionally(why));
            pending.clear();
        }
    }

    private RpcError unauthorized(int status) {
        return RpcError.of(RpcError.UPSTREAM_FAILED, "MCP server '" + serverId + "' refused the gateway's "
                + "credentials (HTTP " + status + ")").because("upstream_unauthorized");
    }

    private RpcError failed(String message) {
        return RpcError.of(RpcError.UPSTREAM_FAILED, "MCP server '" + serverId + "': " + message)
                .because("upstream_failed");
    }

    private static ObjectNode object(JsonNode node) {
        return node instanceof ObjectNode object ? object.deepCopy() : JsonRpc.NODES.objectNode();
    }
}
