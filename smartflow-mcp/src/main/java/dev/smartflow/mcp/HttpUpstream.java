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
import java.time.Duration;
import java.util.Objects;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
import okio.Okio;

/**
 * A Streamable HTTP upstream, spoken to in the revision it supports.
 *
 * <p><b>Which revision.</b> The first call probes: a {@code server/discover} request of the 2026-07-28 revision. A
 * result naming that revision makes the server modern, and every request then carries its version, the gateway's
 * (empty) capabilities and identity in {@code _meta} and the {@code Mcp-Method}, {@code Mcp-Name} and
 * {@code Mcp-Param-*} headers, with no session. Anything else (a 4xx without a modern error, a method-not-found)
 * makes it legacy: the gateway sends {@code initialize} offering 2025-11-25, takes the revision the server answers
 * (2025-03-26 to 2025-11-25), and keeps the {@code Mcp-Session-Id} it assigns per owner in {@link UpstreamSessions},
 * so the owner's next request, on any instance, continues that session. A 404 on a session means the server forgot it:
 * the gateway initializes a new one and sends the request again, once.
 *
 * <p><b>Answers.</b> A JSON answer or an SSE stream: the stream is read until the response to the gateway's request
 * arrives; list-changed notifications on it refresh the catalog; requests the server sends (sampling, elicitation,
 * roots) are answered with an error, since the gateway offers no client capabilities upstream. An answer larger
 * than the cap, garbage, a broken connection or a passed deadline is an {@link RpcError} of its own.
 *
 * <p>Thread-safe.
 */
final class HttpUpstream implements Upstream {
    static final ObjectNode CLIENT_INFO = JsonRpc.NODES.objectNode().put("name", "smartflow-mcp-gateway")
            .put("version", "0.1.0");
    static final String SESSION_HEADER = "Mcp-Session-Id";
    static final String RESOURCE_UPDATED = "notifications/resources/updated";
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final int MAX_FAILURES = 8;
    private static final MediaType JSON = MediaType.get("application/json");
    private static final System.Logger LOG = System.getLogger(HttpUpstream.class.getName());

    private final String serverId;
    private final URI url;
    private final UpstreamAuth auth;
    private final HttpTransport http;
    private final UpstreamSessions sessions;
    private final long maxBytes;
    private final Consumer<String> onNotification;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private volatile Optional<ServerFacts> facts = Optional.empty();

    /** An owner's GET stream, kept open while it wants resource updates. */
    private record Watch(Consumer<ObjectNode> sink, AtomicReference<Call> open) {
        void stop() {
            Call call = open.get();
            if (call != null) {
                call.cancel();
            }
        }
    }

    /**
     * @param onNotification told of each notification an upstream stream carried (its method)
     */
    HttpUpstream(String serverId, URI url, UpstreamAuth auth, HttpTransport http, UpstreamSessions sessions,
                 long maxBytes, Consumer<String> onNotification) {
        this.serverId = Objects.requireNonNull(serverId, "serverId");
        this.url = Objects.requireNonNull(url, "url");
        this.auth = Objects.requireNonNull(auth, "auth");
        this.http = Objects.requireNonNull(http, "http");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.maxBytes = maxBytes;
        this.onNotification = Objects.requireNonNull(onNotification, "onNotification");
    }

    /** A 404 on an upstream session: the server forgot it. */
    private static final class SessionGone extends RuntimeException {
        SessionGone() {
            super("the upstream session is gone", null, false, false);
        }
    }

    /** An answer: the JSON-RPC message and the session id header it came with. */
    private record Reply(ObjectNode message, Optional<String> sessionId) {
    }

    @Override
    public ObjectNode request(UpstreamCall call) {
        for (int attempt = 0; ; attempt++) {
            ServerFacts known = facts(call);
            try {
                if (known.version().modern()) {
                    return send(modern(call), call, Optional.empty()).message();
                }
                UpstreamSessions.Session session = legacySession(call);
                ObjectNode answer = send(legacy(call, session), call, Optional.of(session)).message();
                sessions.touch(serverId, call.owner());
                return answer;
            } catch (SessionGone e) {
                sessions.forget(serverId, call.owner());
                if (attempt > 0) {
                    throw failed("the upstream forgot its session twice in a row");
                }
            } catch (RpcError e) {
                if (attempt == 0 && e.reason().equals("upstream_unauthorized") && auth.renewable()) {
                    // a client-credentials token the upstream stopped accepting: fetch a new one, once
                    auth.rejected();
                    continue;
                }
                throw e;
            }
        }
    }

    @Override
    public ServerFacts facts(UpstreamCall call) {
        Optional<ServerFacts> known = facts;
        if (known.isPresent()) {
            return known.get();
        }
        ServerFacts probed = probe(call);
        facts = Optional.of(probed);
        return probed;
    }

    /**
     * Asks for {@code server/discover} as the 2026-07-28 revision does; a server that answers it with that revision is
     * modern, any other answer makes it legacy, and then the owner's session is initialized here.
     */
    private ServerFacts probe(UpstreamCall call) {
        ObjectNode params = JsonRpc.NODES.objectNode();
        params.set("_meta", modernMeta(call));
        Request.Builder request = post(JsonRpc.request(JsonRpc.NODES.numberNode(ids.incrementAndGet()),
                "server/discover", params))
                .header("MCP-Protocol-Version", ProtocolVersion.MODERN.id())
                .header("Mcp-Method", "server/discover");
        Optional<ObjectNode> discovered = Optional.empty();
        try {
            Reply reply = execute(request, call, Optional.empty(), true);
            JsonNode result = reply.message().path("result");
            for (JsonNode version : result.path("supportedVersions")) {
                if (version.asText().equals(ProtocolVersion.MODERN.id())) {
                    discovered = Optional.of((ObjectNode) result);
                }
            }
        } catch (RpcError e) {
            if (e.code() == RpcError.UPSTREAM_TIMEOUT || e.reason().equals("upstream_unreachable")) {
                throw e;
            }
            // a legacy server refuses the unknown method or the missing session in many ways
        }
        if (discovered.isPresent()) {
            ObjectNode result = discovered.get();
            return new ServerFacts(ProtocolVersion.MODERN, object(result.path("capabilities")),
                    object(result.path("_meta").path("io.modelcontextprotocol/serverInfo")),
                    text(result.path("instructions")));
        }
        UpstreamSessions.Session session = initialize(call);
        return facts.orElseGet(() -> new ServerFacts(session.version(), JsonRpc.NODES.objectNode(),
                JsonRpc.NODES.objectNode(), Optional.empty()));
    }

    private UpstreamSessions.Session legacySession(UpstreamCall call) {
        Optional<UpstreamSessions.Session> stored = sessions.get(serverId, call.owner());
        return stored.orElseGet(() -> initialize(call));
    }

    /** The legacy handshake for {@code call}'s owner; its session, stored for the owner's later requests. */
    private UpstreamSessions.Session initialize(UpstreamCall call) {
        ObjectNode params = JsonRpc.NODES.objectNode().put("protocolVersion", ProtocolVersion.LATEST_LEGACY.id());
        params.putObject("capabilities");
        params.set("clientInfo", CLIENT_INFO);
        Reply reply = execute(post(JsonRpc.request(JsonRpc.NODES.numberNode(ids.incrementAndGet()), "initialize",
                params)), call, Optional.empty(), false);
        JsonNode result = reply.message().path("result");
        if (!result.isObject()) {
            throw failed("the upstream refused to initialize: " + errorText(reply.message()));
        }
        String agreed = result.path("protocolVersion").asText("");
        ProtocolVersion version = ProtocolVersion.parse(agreed).filter(v -> !v.modern()).orElseThrow(
                () -> failed("the upstream speaks MCP " + (agreed.matches("[0-9-]{1,20}") ? agreed : "(unknown)")
                        + ", which the gateway does not"));
        facts = Optional.of(new ServerFacts(version, object(result.path("capabilities")),
                object(result.path("serverInfo")), text(result.path("instructions"))));
        UpstreamSessions.Session session = new UpstreamSessions.Session(reply.sessionId().orElse(""), version);
        UpstreamSessions.Session kept = sessions.putIfAbsent(serverId, call.owner(), session);
        if (!kept.equals(session) && !session.id().isEmpty()) {
            // another instance initialized this owner's session at the same moment: use theirs, end ours
            end(session);
        }
        try {
            Request.Builder initialized = post(JsonRpc.notification("notifications/initialized", null));
            headers(initialized, kept);
            execute(initialized, call, Optional.of(kept), true);
        } catch (RpcError e) {
            LOG.log(System.Logger.Level.DEBUG, () -> serverId + ": notifications/initialized: " + e.getMessage());
        }
        return kept;
    }

    private Request.Builder modern(UpstreamCall call) {
        ObjectNode params = call.params().deepCopy();
        ObjectNode meta = params.has("_meta") && params.get("_meta").isObject() ? (ObjectNode) params.get("_meta")
                : params.putObject("_meta");
        meta.setAll(modernMeta(call));
        Request.Builder request = post(JsonRpc.request(JsonRpc.NODES.numberNode(ids.incrementAndGet()),
                call.method(), params))
                .header("MCP-Protocol-Version", ProtocolVersion.MODERN.id())
                .header("Mcp-Method", call.method());
        McpHeaders.name(call.method(), params).ifPresent(name -> request.header("Mcp-Name", McpHeaders.encode(name)));
        call.toolSchema().ifPresent(schema -> McpHeaders.paramHeaders(schema, params.path("arguments"))
                .forEach(request::header));
        return request;
    }

    private ObjectNode modernMeta(UpstreamCall call) {
        ObjectNode meta = JsonRpc.NODES.objectNode().put("io.modelcontextprotocol/protocolVersion",
                ProtocolVersion.MODERN.id());
        meta.putObject("io.modelcontextprotocol/clientCapabilities");
        meta.set("io.modelcontextprotocol/clientInfo", CLIENT_INFO);
        call.traceparent().ifPresent(trace -> meta.put("traceparent", trace));
        return meta;
    }

    private Request.Builder legacy(UpstreamCall call, UpstreamSessions.Session session) {
        ObjectNode params = call.params().deepCopy();
        call.traceparent().ifPresent(trace -> {
            JsonNode meta = params.get("_meta");
            (meta instanceof ObjectNode object ? object : params.putObject("_meta")).put("traceparent", trace);
        });
        Request.Builder request = post(JsonRpc.request(JsonRpc.NODES.numberNode(ids.incrementAndGet()),
                call.method(), params));
        headers(request, session);
        return request;
    }

    private static void headers(Request.Builder request, UpstreamSessions.Session session) {
        if (!session.id().isEmpty()) {
            request.header(SESSION_HEADER, session.id());
        }
        if (session.version().hasVersionHeader()) {
            request.header("MCP-Protocol-Version", session.version().id());
        }
    }

    private Request.Builder post(ObjectNode message) {
        return new Request.Builder().url(url.toString())
                .header("Accept", "application/json, text/event-stream")
                .post(RequestBody.create(message.toString(), JSON))
                .tag(ObjectNode.class, message);
    }

    private Reply send(Request.Builder request, UpstreamCall call, Optional<UpstreamSessions.Session> session) {
        return execute(request, call, session, false);
    }

    /**
     * Runs one POST and reads its answer to the message it carries.
     *
     * @param lenient whether a non-JSON-RPC answer is returned as an empty message rather than failing (probes)
     */
    private Reply execute(Request.Builder builder, UpstreamCall call, Optional<UpstreamSessions.Session> session,
                          boolean lenient) {
        auth.apply(builder, call);
        Request request = builder.build();
        ObjectNode sent = request.tag(ObjectNode.class);
        boolean notification = sent != null && !sent.has("id");
        Call okCall = http.client().newCall(request);
        boolean forwardCancel = !notification && sent != null && session.isPresent();
        Optional<Cancellation.Registration> watch = call.cancellation().map(c -> c.onCancel(() -> {
            okCall.cancel();
            if (forwardCancel) {
                cancelUpstream(sent.get("id"), session.get(), call);
            }
        }));
        Deadline deadline = http.deadline(okCall, call.timeout());
        try (deadline; Response response = okCall.execute()) {
            return read(response, sent, session, notification, lenient, call);
        } catch (IOException e) {
            if (deadline.expired()) {
                throw RpcError.of(RpcError.UPSTREAM_TIMEOUT, "MCP server '" + serverId + "' did not answer within "
                        + call.timeout().toSeconds() + " s").because("upstream_timeout");
            }
            if (call.cancellation().isPresent() && okCall.isCanceled()) {
                throw RpcError.of(RpcError.UPSTREAM_FAILED, "the request was cancelled (the client cancelled it or "
                        + "went away)").because("client_closed");
            }
            throw failed("the upstream could not be reached, or broke off its answer")
                    .because("upstream_unreachable");
        } finally {
            watch.ifPresent(Cancellation.Registration::close);
        }
    }

    private Reply read(Response response, ObjectNode sent, Optional<UpstreamSessions.Session> session,
                       boolean notification, boolean lenient, UpstreamCall call) throws IOException {
        int status = response.code();
        Optional<String> sessionId = Optional.ofNullable(response.header(SESSION_HEADER));
        if (status == 404 && session.isPresent() && !session.get().id().isEmpty() && !notification) {
            throw new SessionGone();
        }
        if (status == 401 || status == 403) {
            throw RpcError.of(RpcError.UPSTREAM_FAILED, "MCP server '" + serverId + "' refused the gateway's "
                    + "credentials (HTTP " + status + ")").because("upstream_unauthorized");
        }
        if (notification) {
            return new Reply(JsonRpc.NODES.objectNode(), sessionId);
        }
        String type = Optional.ofNullable(response.header("Content-Type")).orElse("");
        BufferedSource source = Okio.buffer(new LimitedSource(response.body().source(), maxBytes));
        if (type.regionMatches(true, 0, "text/event-stream", 0, 17) && status == 200) {
            return new Reply(fromStream(source, sent, session, call), sessionId);
        }
        JsonNode json = null;
        byte[] bytes = source.readByteArray();
        if (bytes.length > 0) {
            try {
                json = Body.MAPPER.readTree(bytes);
            } catch (IOException e) {
                json = null;
            }
        }
        if (json instanceof ObjectNode message && (message.has("result") || message.has("error"))) {
            return new Reply(message, sessionId);
        }
        if (lenient) {
            return new Reply(JsonRpc.NODES.objectNode(), sessionId);
        }
        throw failed(status >= 200 && status < 300 ? "the upstream's answer is not a JSON-RPC response"
                : "the upstream answered HTTP " + status).because("upstream_http_" + status);
    }

    /** Reads an SSE answer until the response to {@code id} arrives; handles what comes before it. */
    private ObjectNode fromStream(BufferedSource source, ObjectNode sent, Optional<UpstreamSessions.Session> session,
                                  UpstreamCall call) throws IOException {
        JsonNode id = sent.get("id");
        String sentMethod = sent.path("method").asText();
        SseDecoder events = new SseDecoder(source);
        for (SseDecoder.Event event = events.next(); event != null; event = events.next()) {
            if (!event.event().isEmpty() && !event.event().equals("message")) {
                continue;
            }
            JsonNode message;
            try {
                message = Body.MAPPER.readTree(event.data());
            } catch (IOException e) {
                throw failed("the upstream sent an event that is not JSON").because("upstream_garbage");
            }
            if (!(message instanceof ObjectNode object)) {
                continue;
            }
            if (object.has("method")) {
                if (object.has("id")) {
                    refuse(object.get("id"), session, call);
                } else {
                    String method = object.path("method").asText();
                    onNotification.accept(method);
                    if (method.equals(RESOURCE_UPDATED)) {
                        Watch watch = watches.get(call.owner());
                        if (watch != null) {
                            watch.sink().accept(object);
                        }
                    }
                    if ((method.equals("notifications/progress") || method.equals("notifications/message"))
                            && call.method().equals(sentMethod)) {
                        // on a request's own stream every notification is about that request (not so on the stream
                        // of a handshake made on the call's behalf)
                        call.tell(object);
                    }
                }
            } else if (object.path("id").asText().equals(id.asText())
                    && (object.has("result") || object.has("error"))) {
                return object;
            }
        }
        throw failed("the upstream's stream ended before its answer").because("upstream_broken");
    }

    /**
     * Tells a legacy upstream that the gateway no longer waits for request {@code id} (the client cancelled it or went
     * away), so that it stops working on it; best effort, off the caller's thread.
     */
    private void cancelUpstream(JsonNode id, UpstreamSessions.Session session, UpstreamCall call) {
        ObjectNode params = JsonRpc.NODES.objectNode().put("reason", "the client cancelled the request");
        params.set("requestId", id);
        Request.Builder request = post(JsonRpc.notification("notifications/cancelled", params));
        headers(request, session);
        UpstreamCall own = new UpstreamCall(call.owner(), "notifications/cancelled", params, Optional.empty(),
                call.userToken(), Optional.empty(), Optional.empty(), Duration.ofSeconds(5), Optional.empty());
        Thread.ofVirtual().start(() -> {
            try {
                execute(request, own, Optional.of(session), true);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> serverId + ": forwarding a cancel failed: " + e);
            }
        });
    }

    /** Answers a request the upstream sent on its stream: the gateway offers no client features upstream. */
    private void refuse(JsonNode id, Optional<UpstreamSessions.Session> session, UpstreamCall call) {
        ObjectNode error = JsonRpc.error(id, RpcError.of(RpcError.METHOD_NOT_FOUND,
                "the Smartflow gateway does not offer client features (sampling, elicitation, roots) upstream"));
        Request.Builder request = post(error);
        session.ifPresent(s -> headers(request, s));
        Thread.ofVirtual().start(() -> {
            try {
                execute(request, call.withMethod("response", JsonRpc.NODES.objectNode()), session, true);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> serverId + ": answering its request failed: " + e);
            }
        });
    }

    /**
     * Opens the owner's GET stream (legacy revisions: the server's channel for messages outside any request) and keeps
     * it open, reopening it when it ends, until the owner is unwatched or released. A server that offers no GET stream
     * (405) still sends updates on the streams of the owner's requests, which {@link #fromStream} routes the same way.
     */
    @Override
    public void watch(UpstreamCall call, Consumer<ObjectNode> sink) {
        if (facts(call).version().modern()) {
            return; // a 2026-07-28 server has no GET stream; its updates come on subscriptions/listen (not done)
        }
        Watch fresh = new Watch(sink, new AtomicReference<>());
        if (watches.putIfAbsent(call.owner(), fresh) == null) {
            UpstreamCall own = new UpstreamCall(call.owner(), "GET", JsonRpc.NODES.objectNode(), Optional.empty(),
                    call.userToken(), Optional.empty(), Optional.empty(), call.timeout(), Optional.empty());
            Thread.ofVirtual().name("mcp-watch-" + serverId).start(() -> listen(own, fresh));
        }
    }

    @Override
    public void unwatch(String owner) {
        Watch watch = watches.remove(owner);
        if (watch != null) {
            watch.stop();
        }
    }

    private void listen(UpstreamCall call, Watch watch) {
        int failures = 0;
        while (watches.get(call.owner()) == watch && failures < MAX_FAILURES) {
            Optional<UpstreamSessions.Session> session = sessions.get(serverId, call.owner());
            if (session.isEmpty()) {
                break; // the owner's upstream session ended
            }
            boolean opened = false;
            try {
                Request.Builder builder = new Request.Builder().url(url.toString())
                        .header("Accept", "text/event-stream").get();
                headers(builder, session.get());
                auth.apply(builder, call);
                Call okCall = http.client().newCall(builder.build());
                watch.open().set(okCall);
                if (watches.get(call.owner()) != watch) {
                    break;
                }
                try (Response response = okCall.execute()) {
                    String type = Optional.ofNullable(response.header("Content-Type")).orElse("");
                    if (response.code() == 405) {
                        LOG.log(System.Logger.Level.DEBUG, () -> serverId + " offers no GET stream");
                        break;
                    }
                    if (response.code() == 200 && type.regionMatches(true, 0, "text/event-stream", 0, 17)) {
                        opened = true;
                        readWatch(Okio.buffer(response.body().source()), watch, session.get(), call);
                    } else if (response.code() == 404) {
                        sessions.forget(serverId, call.owner());
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> serverId + ": the GET stream broke: " + e);
            }
            failures = opened ? 0 : failures + 1;
            if (failures > 0 && watches.get(call.owner()) == watch) {
                try {
                    Thread.sleep(Math.min(MAX_BACKOFF.toMillis(), 250L << Math.min(failures, 10)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        watches.remove(call.owner(), watch);
    }

    private void readWatch(BufferedSource source, Watch watch, UpstreamSessions.Session session, UpstreamCall call)
            throws IOException {
        SseDecoder events = new SseDecoder(source);
        for (SseDecoder.Event event = events.next(); event != null; event = events.next()) {
            if (!event.event().isEmpty() && !event.event().equals("message")) {
                continue;
            }
            JsonNode message;
            try {
                message = Body.MAPPER.readTree(event.data());
            } catch (IOException e) {
                continue; // one garbled event does not end the stream
            }
            if (message instanceof ObjectNode object && object.has("method")) {
                if (object.has("id")) {
                    refuse(object.get("id"), Optional.of(session), call);
                    continue;
                }
                String method = object.path("method").asText();
                onNotification.accept(method);
                if (method.equals(RESOURCE_UPDATED)) {
                    watch.sink().accept(object);
                }
            }
        }
    }

    @Override
    public void release(String owner) {
        unwatch(owner);
        Optional<UpstreamSessions.Session> session = sessions.get(serverId, owner);
        sessions.forget(serverId, owner);
        session.filter(s -> !s.id().isEmpty()).ifPresent(this::end);
    }

    /** Asks the upstream to end a session (it may refuse with 405; nothing more to do then). */
    private void end(UpstreamSessions.Session session) {
        Request.Builder request = new Request.Builder().url(url.toString()).delete();
        headers(request, session);
        try {
            UpstreamCall own = UpstreamCall.own("gateway", "delete", JsonRpc.NODES.objectNode(),
                    Duration.ofSeconds(5));
            auth.apply(request, own);
            Call okCall = http.client().newCall(request.build());
            try (Deadline deadline = http.deadline(okCall, own.timeout()); Response response = okCall.execute()) {
                LOG.log(System.Logger.Level.DEBUG, () -> serverId + ": ended an upstream session: HTTP "
                        + response.code());
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> serverId + ": ending an upstream session failed: " + e);
        }
    }

    /** Forgets what the probe learnt, for a server whose definition changed. */
    void forgetFacts() {
        facts = Optional.empty();
    }

    private RpcError failed(String message) {
        return RpcError.of(RpcError.UPSTREAM_FAILED, "MCP server '" + serverId + "': " + message)
                .because("upstream_failed");
    }

    private static ObjectNode object(JsonNode node) {
        return node instanceof ObjectNode object ? object.deepCopy() : JsonRpc.NODES.objectNode();
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() ? Optional.of(node.textValue()) : Optional.empty();
    }

    private static String errorText(ObjectNode message) {
        String text = message.path("error").path("message").asText("no result");
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    @Override
    public void close() {
        facts = Optional.empty();
        watches.keySet().forEach(this::unwatch);
    }
}
