package dev.smartflow.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain JSON-RPC client of an MCP endpoint, as the specifications describe one, for the tests: a legacy client
 * ({@link #initialize} opens a session, then every request carries {@code Mcp-Session-Id} and
 * {@code MCP-Protocol-Version}) or a modern one ({@link #modern}: {@code _meta} and the mirrored headers on every
 * request, no session).
 */
final class RpcClient {
    final String url;
    final String authorization;
    private final boolean modern;
    private final AtomicInteger ids = new AtomicInteger();
    Optional<String> session = Optional.empty();
    Optional<String> version = Optional.empty();

    private RpcClient(String url, String authorization, boolean modern) {
        this.url = url;
        this.authorization = authorization;
        this.modern = modern;
    }

    static RpcClient legacy(String url, String authorization) {
        return new RpcClient(url, authorization, false);
    }

    static RpcClient modern(String url, String authorization) {
        RpcClient client = new RpcClient(url, authorization, true);
        client.version = Optional.of("2026-07-28");
        return client;
    }

    /** The legacy handshake in {@code protocolVersion}; the initialize result. */
    JsonNode initialize(String protocolVersion) {
        ObjectNode params = Http.JSON.createObjectNode().put("protocolVersion", protocolVersion);
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "rpc-test-client").put("version", "1");
        Http.Reply reply = send("initialize", params, true);
        assertEquals(200, reply.status(), reply.body());
        session = reply.header("mcp-session-id");
        JsonNode result = reply.json().path("result");
        version = Optional.of(result.path("protocolVersion").asText());
        Http.Reply initialized = Http.post(url, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                headers(Optional.empty(), Optional.empty()));
        assertEquals(202, initialized.status(), initialized.body());
        return result;
    }

    /** A request; the whole reply. */
    Http.Reply request(String method, ObjectNode params) {
        return send(method, params, false);
    }

    /** A request that must succeed; its result. */
    JsonNode result(String method, ObjectNode params) {
        Http.Reply reply = request(method, params);
        assertEquals(200, reply.status(), reply.body());
        JsonNode json = reply.json();
        if (!json.has("result")) {
            throw new AssertionError(method + " failed: " + reply.body());
        }
        return json.path("result");
    }

    /** A request that must fail with a JSON-RPC error; the error object. */
    JsonNode error(String method, ObjectNode params) {
        Http.Reply reply = request(method, params);
        JsonNode json = reply.json();
        if (!json.has("error")) {
            throw new AssertionError(method + " did not fail: " + reply.body());
        }
        return json.path("error");
    }

    JsonNode callTool(String name, ObjectNode arguments) {
        ObjectNode params = Http.JSON.createObjectNode().put("name", name);
        params.set("arguments", arguments);
        return result("tools/call", params);
    }

    List<String> toolNames() {
        List<String> names = new ArrayList<>();
        result("tools/list", Http.JSON.createObjectNode()).path("tools").forEach(t -> names.add(t.path("name")
                .asText()));
        return names;
    }

    private Http.Reply send(String method, ObjectNode params, boolean initializing) {
        ObjectNode sent = params.deepCopy();
        Optional<String> name = Optional.empty();
        if (modern) {
            ObjectNode meta = sent.has("_meta") ? (ObjectNode) sent.get("_meta") : sent.putObject("_meta");
            meta.put("io.modelcontextprotocol/protocolVersion", version.orElseThrow());
            meta.putObject("io.modelcontextprotocol/clientCapabilities");
            meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "rpc-test-client").put("version", "1");
            JsonNode named = method.equals("resources/read") ? sent.path("uri") : sent.path("name");
            if (method.equals("tools/call") || method.equals("prompts/get") || method.equals("resources/read")) {
                name = Optional.of(McpHeaders.encode(named.asText()));
            }
        }
        ObjectNode message = Http.JSON.createObjectNode().put("jsonrpc", "2.0").put("id", ids.incrementAndGet())
                .put("method", method);
        message.set("params", sent);
        List<String> headers = new ArrayList<>(List.of(headers(name, modern ? Optional.of(method)
                : Optional.empty())));
        return Http.post(url, message.toString(), headers.toArray(String[]::new));
    }

    private String[] headers(Optional<String> name, Optional<String> method) {
        List<String> headers = new ArrayList<>(List.of("Authorization", authorization,
                "Accept", "application/json, text/event-stream"));
        session.ifPresent(id -> headers.addAll(List.of("Mcp-Session-Id", id)));
        version.filter(v -> !v.equals("2025-03-26"))
                .ifPresent(v -> headers.addAll(List.of("MCP-Protocol-Version", v)));
        method.ifPresent(m -> headers.addAll(List.of("Mcp-Method", m)));
        name.ifPresent(n -> headers.addAll(List.of("Mcp-Name", n)));
        return headers.toArray(String[]::new);
    }

    static ObjectNode args(String... pairs) {
        ObjectNode arguments = Http.JSON.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            arguments.put(pairs[i], pairs[i + 1]);
        }
        return arguments;
    }
}
