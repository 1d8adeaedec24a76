package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An MCP server on the deprecated HTTP+SSE transport of 2024-11-05, for the tests: {@code GET /sse} opens a stream
 * whose first event ({@code endpoint}) names {@code /messages?session_id=...}; a {@code POST} there is answered 202
 * and its answer goes out on the stream. A {@code POST} to {@code /sse} is 405, as such a server answers a Streamable
 * HTTP client. Tools are {@link TestMcpLogic}'s, plus {@code slow}: two progress notifications (with the call's
 * progress token) and a log message (its {@code say} argument, else "halfway"), then it waits until {@link #release()} or a {@code notifications/cancelled}.
 * Faults on demand: {@link #garbageNext()} answers the next {@code tools/call} with data that is not JSON;
 * {@link #dropAll()} closes every stream.
 */
final class SseTestServer implements AutoCloseable {
    /** One open stream: the session's output, written under a lock by the message handlers. */
    private static final class Session {
        final String id;
        final OutputStream out;
        final ReentrantLock lock = new ReentrantLock();
        final CountDownLatch closed = new CountDownLatch(1);

        Session(String id, OutputStream out) {
            this.id = id;
            this.out = out;
        }

        void send(String event, String data) {
            lock.lock();
            try {
                out.write(((event.isEmpty() ? "" : "event: " + event + "\n") + "data: " + data + "\n\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                closed.countDown();
            } finally {
                lock.unlock();
            }
        }
    }

    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    final List<String> streamsOpened = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final TestMcpLogic logic = new TestMcpLogic(TestMcpLogic.Mode.V2025_06_18, "sse-server");
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final HttpServer server;
    private volatile CountDownLatch slow = new CountDownLatch(1);
    private volatile boolean garbageNext;
    private volatile String endpointOverride;

    SseTestServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/sse", this::stream);
        server.createContext("/messages", this::message);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/sse";
    }

    /** Makes {@code slow} calls wait again. */
    void hold() {
        slow = new CountDownLatch(1);
    }

    /** Lets a waiting {@code slow} call finish. */
    void release() {
        slow.countDown();
    }

    void garbageNext() {
        garbageNext = true;
    }

    /** The next streams name this endpoint instead of their own. */
    void endpoint(String value) {
        endpointOverride = value;
    }

    /** The resource changed: its subscribers' streams carry {@code notifications/resources/updated}. */
    int touch(String uri) {
        int told = 0;
        for (Session session : sessions.values()) {
            if (logic.subscriptions.getOrDefault(session.id, Set.of()).contains(uri)) {
                session.send("message", notification("notifications/resources/updated",
                        TestMcpLogic.JSON.createObjectNode().put("uri", uri)));
                told++;
            }
        }
        return told;
    }

    void dropAll() {
        sessions.values().forEach(s -> s.closed.countDown());
        sessions.clear();
    }

    List<JsonNode> received(String method) {
        return received.stream().filter(m -> m.path("method").asText().equals(method)).toList();
    }

    private void stream(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.sendResponseHeaders(405, -1);
            exchange.close();
            return;
        }
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        String id = UUID.randomUUID().toString();
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        Session session = new Session(id, exchange.getResponseBody());
        sessions.put(id, session);
        streamsOpened.add(id);
        String endpoint = endpointOverride != null ? endpointOverride : "/messages?session_id=" + id;
        session.send("endpoint", endpoint);
        try {
            session.closed.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sessions.remove(id, session);
            exchange.close();
        }
    }

    private void message(HttpExchange exchange) throws IOException {
        try (exchange) {
            String query = String.valueOf(exchange.getRequestURI().getQuery());
            Session session = sessions.get(query.startsWith("session_id=") ? query.substring(11) : "");
            if (session == null || !exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            JsonNode message = TestMcpLogic.JSON.readTree(exchange.getRequestBody().readAllBytes());
            received.add(message);
            exchange.sendResponseHeaders(202, -1);
            if (message.path("method").asText().equals("notifications/cancelled")) {
                slow.countDown();
            }
            if (message.has("id") && message.has("method")) {
                Thread.ofVirtual().start(() -> answer(session, message));
            }
        }
    }

    private void answer(Session session, JsonNode message) {
        String method = message.path("method").asText();
        JsonNode id = message.get("id");
        if (method.equals("initialize")) {
            ObjectNode result = TestMcpLogic.JSON.createObjectNode().put("protocolVersion", "2024-11-05");
            ObjectNode capabilities = result.putObject("capabilities");
            capabilities.putObject("tools");
            capabilities.putObject("resources").put("subscribe", true);
            result.putObject("serverInfo").put("name", "sse-server").put("version", "1.0.0");
            session.send("message", TestMcpLogic.result(id, result).toString());
            return;
        }
        if (method.equals("tools/call") && garbageNext) {
            garbageNext = false;
            session.send("message", "this is not json");
            return;
        }
        if (method.equals("tools/call") && message.path("params").path("name").asText().equals("slow")) {
            JsonNode token = message.path("params").path("_meta").path("progressToken");
            for (int step = 1; step <= 2; step++) {
                ObjectNode params = TestMcpLogic.JSON.createObjectNode().put("progress", step).put("total", 2);
                params.set("progressToken", token);
                session.send("message", notification("notifications/progress", params));
            }
            session.send("message", notification("notifications/message", TestMcpLogic.JSON.createObjectNode()
                    .put("level", "info").put("data", message.path("params").path("arguments").path("say")
                            .asText("halfway"))));
            try {
                slow.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ObjectNode result = TestMcpLogic.JSON.createObjectNode();
            result.putArray("content").addObject().put("type", "text").put("text", "slow done");
            session.send("message", TestMcpLogic.result(id, result).toString());
            return;
        }
        ObjectNode answer = logic.handle(message, session.id, Map.of());
        if (method.equals("tools/list")) {
            ArrayNode tools = (ArrayNode) answer.path("result").path("tools");
            tools.addObject().put("name", "slow").put("description", "Takes its time").putObject("inputSchema")
                    .put("type", "object");
        }
        session.send("message", answer.toString());
    }

    private static String notification(String method, ObjectNode params) {
        ObjectNode message = TestMcpLogic.JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method);
        message.set("params", params);
        return message.toString();
    }

    @Override
    public void close() {
        dropAll();
        server.stop(0);
    }
}
