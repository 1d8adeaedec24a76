package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A Streamable HTTP MCP server for the tests, in one revision: 2025-06-18 or 2025-11-25 (an {@code initialize}
 * handshake, sessions by {@code Mcp-Session-Id}, 400 without one, 404 for an unknown one, DELETE ends one) or
 * 2026-07-28 (no session; {@code _meta} and the mirrored headers checked, 400 {@code HeaderMismatch} when they
 * differ). Answers as JSON, or as an SSE stream that carries a log notification before the answer. Records every
 * request it gets.
 */
final class TestMcpServer implements AutoCloseable {
    /** One request as it arrived. */
    record Seen(String method, Map<String, String> headers, JsonNode body) {
        String rpcMethod() {
            return body == null ? "" : body.path("method").asText("");
        }
    }

    final TestMcpLogic logic;
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final Set<String> sessions = ConcurrentHashMap.newKeySet();
    final Set<String> ended = ConcurrentHashMap.newKeySet();
    private final HttpServer server;
    private final boolean useSessions;
    private volatile boolean sse;
    private volatile Optional<String> requiredAuthorization = Optional.empty();
    private volatile Optional<String> resourceMetadata = Optional.empty();
    /** The open GET streams, per session. */
    private final Map<String, OutputStream> streams = new ConcurrentHashMap<>();

    TestMcpServer(TestMcpLogic.Mode mode) {
        this(mode, true);
    }

    TestMcpServer(TestMcpLogic.Mode mode, boolean useSessions) {
        this.logic = new TestMcpLogic(mode, "test-" + mode.version);
        this.useSessions = useSessions && !mode.modern();
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/mcp", this::serve);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/mcp";
    }

    /** Answers with SSE streams from now on. */
    TestMcpServer sse(boolean value) {
        sse = value;
        return this;
    }

    /** Refuses (401) requests without this exact Authorization header. */
    TestMcpServer requireAuthorization(String value) {
        requiredAuthorization = Optional.of(value);
        return this;
    }

    /** Names this protected resource metadata URL in the {@code WWW-Authenticate} header of its 401s. */
    TestMcpServer resourceMetadata(String url) {
        resourceMetadata = Optional.of(url);
        return this;
    }

    List<Seen> calls(String rpcMethod) {
        return seen.stream().filter(s -> s.rpcMethod().equals(rpcMethod)).toList();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                    values.getFirst()));
            String method = exchange.getRequestMethod();
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            JsonNode body = bytes.length == 0 ? null : TestMcpLogic.JSON.readTree(bytes);
            seen.add(new Seen(method, headers, body));
            if (requiredAuthorization.isPresent()
                    && !requiredAuthorization.get().equals(headers.get("authorization"))) {
                resourceMetadata.ifPresent(url -> exchange.getResponseHeaders().set("WWW-Authenticate",
                        "Bearer resource_metadata=\"" + url + "\""));
                send(exchange, 401, null, Optional.empty());
                return;
            }
            String session = headers.getOrDefault("mcp-session-id", "");
            switch (method) {
                case "DELETE" -> {
                    ended.add(session);
                    send(exchange, sessions.remove(session) ? 200 : 404, null, Optional.empty());
                    return;
                }
                case "POST" -> {
                }
                case "GET" -> {
                    if (useSessions && sessions.contains(session)) {
                        holdStream(exchange, session);
                    } else {
                        send(exchange, 405, null, Optional.empty());
                    }
                    return;
                }
                default -> {
                    send(exchange, 405, null, Optional.empty());
                    return;
                }
            }
            String rpc = body.path("method").asText("");
            if (logic.mode.modern()) {
                Optional<String> problem = modernProblem(headers, body);
                if (problem.isPresent()) {
                    send(exchange, 400, TestMcpLogic.error(body.path("id"), -32020, problem.get(), null),
                            Optional.empty());
                    return;
                }
            } else if (!rpc.equals("initialize")) {
                if (useSessions && session.isEmpty() && body.has("id")) {
                    send(exchange, 400, TestMcpLogic.error(body.path("id"), -32600, "missing session", null),
                            Optional.empty());
                    return;
                }
                if (useSessions && !session.isEmpty() && !sessions.contains(session)) {
                    send(exchange, 404, TestMcpLogic.error(body.path("id"), -32600, "unknown session", null),
                            Optional.empty());
                    return;
                }
                String version = headers.get("mcp-protocol-version");
                if (version != null && !version.equals(logic.mode.version)) {
                    send(exchange, 400, null, Optional.empty());
                    return;
                }
            }
            Map<String, String> known = new TreeMap<>();
            for (String name : List.of("authorization", "x-api-key", "mcp-param-region")) {
                if (headers.containsKey(name)) {
                    known.put(name, headers.get(name));
                }
            }
            Optional<String> newSession = Optional.empty();
            if (rpc.equals("initialize") && useSessions) {
                newSession = Optional.of(UUID.randomUUID().toString());
                sessions.add(newSession.get());
                session = newSession.get();
            }
            ObjectNode answer = logic.handle(body, session, known);
            if (answer == null) {
                send(exchange, 202, null, newSession);
                return;
            }
            int status = logic.mode.modern() && answer.path("error").path("code").asInt() == -32601 ? 404
                    : logic.mode.modern() && answer.path("error").path("code").asInt() == -32022 ? 400 : 200;
            send(exchange, status, answer, newSession);
        }
    }

    /** Keeps a session's GET stream open (until the session ends or the client hangs up) for {@link #touch}. */
    private void holdStream(HttpExchange exchange, String session) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        out.write(": open\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        streams.put(session, out);
        synchronized (out) {
            while (streams.get(session) == out && sessions.contains(session)) {
                try {
                    out.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        streams.remove(session, out);
    }

    /** Number of open GET streams. */
    int openStreams() {
        return streams.size();
    }

    /**
     * The resource changed: {@code notifications/resources/updated} goes to every session subscribed to it, on its GET
     * stream. Returns how many were told.
     */
    int touch(String uri) {
        return touch(uri, false);
    }

    /** As {@link #touch(String)}, to every open GET stream, subscribed or not (a server that ignores unsubscribe). */
    int touchAll(String uri) {
        return touch(uri, true);
    }

    private int touch(String uri, boolean all) {
        logic.status.incrementAndGet();
        int told = 0;
        String event = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/updated\","
                + "\"params\":{\"uri\":\"" + uri + "\"}}\n\n";
        for (Map.Entry<String, OutputStream> stream : streams.entrySet()) {
            if (all || logic.subscriptions.getOrDefault(stream.getKey(), Set.of()).contains(uri)) {
                try {
                    synchronized (stream.getValue()) {
                        stream.getValue().write(event.getBytes(StandardCharsets.UTF_8));
                        stream.getValue().flush();
                    }
                    told++;
                } catch (IOException e) {
                    streams.remove(stream.getKey(), stream.getValue());
                }
            }
        }
        return told;
    }

    private Optional<String> modernProblem(Map<String, String> headers, JsonNode body) {
        String version = body.path("params").path("_meta").path("io.modelcontextprotocol/protocolVersion").asText();
        if (!version.equals(headers.get("mcp-protocol-version"))) {
            return Optional.of("MCP-Protocol-Version header does not match");
        }
        if (!body.path("method").asText().equals(headers.get("mcp-method"))) {
            return Optional.of("Mcp-Method header does not match");
        }
        JsonNode name = switch (body.path("method").asText()) {
            case "tools/call", "prompts/get" -> body.path("params").path("name");
            case "resources/read" -> body.path("params").path("uri");
            default -> null;
        };
        if (name != null) {
            String header = headers.getOrDefault("mcp-name", "");
            String decoded = header.startsWith("=?base64?") && header.endsWith("?=")
                    ? new String(Base64.getDecoder().decode(header.substring(9, header.length() - 2)),
                    StandardCharsets.UTF_8) : header;
            if (!decoded.equals(name.asText())) {
                return Optional.of("Mcp-Name header does not match");
            }
        }
        if (body.path("method").asText().equals("tools/call")
                && body.path("params").path("name").asText().equals("region")) {
            String region = body.path("params").path("arguments").path("region").asText(null);
            if (region != null && !region.equals(headers.get("mcp-param-region"))) {
                return Optional.of("Mcp-Param-Region header does not match");
            }
        }
        return Optional.empty();
    }

    private void send(HttpExchange exchange, int status, ObjectNode answer, Optional<String> session)
            throws IOException {
        session.ifPresent(id -> exchange.getResponseHeaders().set("Mcp-Session-Id", id));
        if (answer == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] json = answer.toString().getBytes(StandardCharsets.UTF_8);
        if (sse && status == 200) {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                String log = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":"
                        + "{\"level\":\"info\",\"data\":\"working\"}}";
                out.write(("event: message\ndata: " + log + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                out.write("data: ".getBytes(StandardCharsets.UTF_8));
                out.write(json);
                out.write("\n\n".getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, json.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(json);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
