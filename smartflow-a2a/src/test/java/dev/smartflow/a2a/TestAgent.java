package dev.smartflow.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small A2A agent for the tests, on the JDK's HTTP server: JSON-RPC at {@code /rpc} and the REST binding under
 * {@code /rest}, in revision 1.0 or 0.3 as built, with its card at {@code /.well-known/agent-card.json}. It echoes:
 * a send makes a completed task whose artifact says {@code echo: <text>}; a stream sends the task working, an
 * artifact, then completed (waiting for {@link #release} before the last event when {@code holdStreams}); tasks can be
 * got and cancelled (a completed one is not cancelable, -32002). Records what it was sent.
 */
final class TestAgent implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    record Seen(String method, String path, Map<String, List<String>> headers, JsonNode body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().getFirst()).orElse(null);
        }
    }

    final boolean v1;
    final boolean rest;
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final Map<String, ObjectNode> tasks = new ConcurrentHashMap<>();
    final AtomicInteger cardFetches = new AtomicInteger();
    volatile boolean holdStreams;
    final CountDownLatch release = new CountDownLatch(1);
    private final HttpServer server;
    private final AtomicInteger ids = new AtomicInteger();

    /** @param v1 revision 1.0 (else 0.3); @param rest whether the card offers the REST binding too */
    TestAgent(boolean v1, boolean rest) {
        this.v1 = v1;
        this.rest = rest;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    ObjectNode card() {
        ObjectNode card = JSON.createObjectNode().put("name", "Echo Agent").put("description", "Echoes text")
                .put("version", "1.2.0");
        if (v1) {
            ArrayNode interfaces = card.putArray("supportedInterfaces");
            interfaces.addObject().put("url", url() + "/rpc").put("protocolBinding", "JSONRPC")
                    .put("protocolVersion", "1.0");
            interfaces.addObject().put("url", url() + "/grpc").put("protocolBinding", "GRPC")
                    .put("protocolVersion", "1.0");
            if (rest) {
                interfaces.addObject().put("url", url() + "/rest").put("protocolBinding", "HTTP+JSON")
                        .put("protocolVersion", "1.0");
            }
            card.putObject("capabilities").put("streaming", true).put("pushNotifications", true)
                    .put("extendedAgentCard", true);
            card.putObject("securitySchemes").putObject("agentKey").putObject("apiKeySecurityScheme")
                    .put("location", "header").put("name", "X-Agent-Key");
            card.putArray("securityRequirements").addObject().putObject("schemes").putObject("agentKey")
                    .putArray("list");
            card.putArray("signatures").addObject().put("protected", "eyJhbGciOiJFUzI1NiJ9").put("signature", "c2ln");
        } else {
            card.put("protocolVersion", "0.3.0").put("url", url() + "/rpc").put("preferredTransport", "JSONRPC");
            if (rest) {
                card.putArray("additionalInterfaces").addObject().put("url", url() + "/rest")
                        .put("transport", "HTTP+JSON");
            }
            card.putObject("capabilities").put("streaming", true);
            card.put("supportsAuthenticatedExtendedCard", true);
            card.putObject("securitySchemes").putObject("bearer").put("type", "http").put("scheme", "bearer");
            card.putArray("security").addObject().putArray("bearer");
        }
        card.putArray("defaultInputModes").add("text/plain");
        card.putArray("defaultOutputModes").add("text/plain");
        card.putArray("skills").addObject().put("id", "echo").put("name", "Echo").put("description", "echoes");
        return card;
    }

    private void handle(HttpExchange http) throws IOException {
        try (http) {
            byte[] raw = http.getRequestBody().readAllBytes();
            JsonNode body = raw.length == 0 ? JSON.nullNode() : JSON.readTree(raw);
            String path = http.getRequestURI().getPath();
            seen.add(new Seen(http.getRequestMethod(), http.getRequestURI().toString(), Map.copyOf(http
                    .getRequestHeaders()), body));
            if (path.equals("/.well-known/agent-card.json")) {
                cardFetches.incrementAndGet();
                json(http, 200, card());
            } else if (path.equals("/rpc")) {
                rpc(http, body);
            } else if (path.startsWith("/rest")) {
                rest(http, path.substring("/rest".length()), body);
            } else {
                json(http, 404, JSON.createObjectNode().put("error", "no such path"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void rpc(HttpExchange http, JsonNode request) throws IOException, InterruptedException {
        String method = request.path("method").asText();
        JsonNode id = request.path("id");
        JsonNode params = request.path("params");
        String send = v1 ? "SendMessage" : "message/send";
        String stream = v1 ? "SendStreamingMessage" : "message/stream";
        String get = v1 ? "GetTask" : "tasks/get";
        String cancel = v1 ? "CancelTask" : "tasks/cancel";
        if (method.equals(send)) {
            ObjectNode task = newTask(params.path("message"), "completed");
            json(http, 200, rpcResult(id, v1 ? wrap("task", task) : task));
        } else if (method.equals(stream)) {
            http.getResponseHeaders().set("Content-Type", "text/event-stream");
            http.sendResponseHeaders(200, 0);
            OutputStream out = http.getResponseBody();
            ObjectNode task = newTask(params.path("message"), "working");
            task.remove("artifacts");
            event(out, rpcResult(id, v1 ? wrap("task", task) : task));
            ObjectNode artifact = artifactUpdate(task, params.path("message"));
            event(out, rpcResult(id, artifact));
            if (holdStreams) {
                release.await(30, TimeUnit.SECONDS);
            }
            ((ObjectNode) tasks.get(task.path("id").asText()).path("status")).put("state", state("completed"));
            event(out, rpcResult(id, statusUpdate(task, "completed")));
        } else if (method.equals(get)) {
            ObjectNode task = tasks.get(params.path("id").asText());
            json(http, 200, task == null ? rpcError(id, -32001, "Task not found") : rpcResult(id, task));
        } else if (method.equals(cancel)) {
            ObjectNode task = tasks.get(params.path("id").asText());
            if (task == null) {
                json(http, 200, rpcError(id, -32001, "Task not found"));
            } else if (task.path("status").path("state").asText().equals(state("completed"))) {
                json(http, 200, rpcError(id, -32002, "Task cannot be canceled"));
            } else {
                ((ObjectNode) task.path("status")).put("state", state("canceled"));
                json(http, 200, rpcResult(id, task));
            }
        } else {
            json(http, 200, rpcError(id, -32601, "Method not found"));
        }
    }

    private void rest(HttpExchange http, String path, JsonNode body) throws IOException, InterruptedException {
        if (path.equals("/message:stream") && v1) {
            http.getResponseHeaders().set("Content-Type", "text/event-stream");
            http.sendResponseHeaders(200, 0);
            OutputStream out = http.getResponseBody();
            ObjectNode task = newTask(body.path("message"), "working");
            task.remove("artifacts");
            event(out, wrap("task", task));
            event(out, artifactUpdate(task, body.path("message")));
            event(out, statusUpdate(task, "completed"));
        } else if (path.equals("/message:send") && v1) {
            json(http, 200, wrap("task", newTask(body.path("message"), "completed")));
        } else if (path.startsWith("/tasks/") && path.endsWith(":cancel")) {
            ObjectNode task = tasks.get(path.substring(7, path.length() - 7));
            if (task == null) {
                restError(http, 404, "TASK_NOT_FOUND");
            } else {
                ((ObjectNode) task.path("status")).put("state", state("canceled"));
                json(http, 200, task);
            }
        } else if (path.startsWith("/tasks/")) {
            ObjectNode task = tasks.get(path.substring(7));
            if (task == null) {
                restError(http, 404, "TASK_NOT_FOUND");
            } else {
                json(http, 200, task);
            }
        } else {
            restError(http, 404, "NOT_FOUND");
        }
    }

    private ObjectNode newTask(JsonNode message, String state) {
        String id = "task-" + ids.incrementAndGet();
        ObjectNode task = JSON.createObjectNode();
        if (!v1) {
            task.put("kind", "task");
        }
        task.put("id", id).put("contextId", "ctx-1");
        task.putObject("status").put("state", state(state));
        ObjectNode artifact = task.putArray("artifacts").addObject().put("artifactId", "a-" + id);
        artifact.putArray("parts").add(textPart("echo: " + text(message)));
        tasks.put(id, task.deepCopy());
        return task;
    }

    private ObjectNode artifactUpdate(ObjectNode task, JsonNode message) {
        ObjectNode update = JSON.createObjectNode().put("taskId", task.path("id").asText()).put("contextId", "ctx-1");
        ObjectNode artifact = update.putObject("artifact").put("artifactId", "a-1");
        artifact.putArray("parts").add(textPart("echo: " + text(message)));
        if (v1) {
            return wrap("artifactUpdate", update);
        }
        ObjectNode out = JSON.createObjectNode().put("kind", "artifact-update");
        out.setAll(update);
        return out;
    }

    private ObjectNode statusUpdate(ObjectNode task, String state) {
        ObjectNode update = JSON.createObjectNode().put("taskId", task.path("id").asText()).put("contextId", "ctx-1");
        update.putObject("status").put("state", state(state));
        if (v1) {
            return wrap("statusUpdate", update);
        }
        ObjectNode out = JSON.createObjectNode().put("kind", "status-update");
        out.setAll(update);
        out.put("final", true);
        return out;
    }

    private String text(JsonNode message) {
        JsonNode part = message.path("parts").path(0);
        if (!v1 && !"text".equals(part.path("kind").asText())) {
            return "(0.3 part without kind text: " + part + ")";
        }
        if (v1 && part.has("kind")) {
            return "(1.0 part with a kind: " + part + ")";
        }
        return part.path("text").asText();
    }

    private ObjectNode textPart(String text) {
        ObjectNode part = JSON.createObjectNode();
        if (!v1) {
            part.put("kind", "text");
        }
        return part.put("text", text);
    }

    String state(String name) {
        return v1 ? "TASK_STATE_" + name.toUpperCase().replace('-', '_') : name;
    }

    private static ObjectNode wrap(String member, JsonNode value) {
        ObjectNode out = JSON.createObjectNode();
        out.set(member, value);
        return out;
    }

    private static ObjectNode rpcResult(JsonNode id, JsonNode result) {
        ObjectNode answer = JSON.createObjectNode().put("jsonrpc", "2.0");
        answer.set("id", id);
        answer.set("result", result);
        return answer;
    }

    private static ObjectNode rpcError(JsonNode id, int code, String message) {
        ObjectNode answer = JSON.createObjectNode().put("jsonrpc", "2.0");
        answer.set("id", id);
        answer.putObject("error").put("code", code).put("message", message);
        return answer;
    }

    private static void restError(HttpExchange http, int status, String reason) throws IOException {
        ObjectNode error = JSON.createObjectNode();
        ObjectNode e = error.putObject("error").put("code", status).put("message", reason.toLowerCase());
        e.putArray("details").addObject().put("@type", "type.googleapis.com/google.rpc.ErrorInfo")
                .put("reason", reason).put("domain", "a2a-protocol.org");
        json(http, status, error);
    }

    private static void event(OutputStream out, JsonNode data) throws IOException {
        out.write(("data: " + JSON.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void json(HttpExchange http, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        http.getResponseHeaders().set("Content-Type", "application/json");
        http.sendResponseHeaders(status, bytes.length);
        http.getResponseBody().write(bytes);
    }

    /** The last request to a path starting with {@code prefix}. */
    Seen last(String prefix) {
        for (int i = seen.size() - 1; i >= 0; i--) {
            if (seen.get(i).path().startsWith(prefix)) {
                return seen.get(i);
            }
        }
        throw new AssertionError("no request to " + prefix + " among " + seen.size());
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
