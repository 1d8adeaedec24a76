package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small MCP server's behaviour, written from the specifications for the tests: the same tools, resources and prompts
 * whichever revision it speaks and whichever transport carries it (HTTP in {@link TestMcpServer}, stdio in
 * {@link StdioTestServer}).
 *
 * <p>Tools: {@code echo} (text back, and as {@code structuredContent}), {@code add}, {@code counter} (counts per
 * session: shows whose upstream session a call ran in), {@code fail} (a tool error), {@code whoami} (the credentials
 * and trace it got), {@code env} (whether a variable is set in its process), {@code delete_repo} (for deny lists),
 * {@code region} (annotated with {@code x-mcp-header}). One resource, {@code file:///readme.md}; one prompt,
 * {@code greet}.
 */
final class TestMcpLogic {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The revision it speaks. */
    enum Mode {
        V2025_06_18("2025-06-18"), V2025_11_25("2025-11-25"), MODERN("2026-07-28");

        final String version;

        Mode(String version) {
            this.version = version;
        }

        boolean modern() {
            return this == MODERN;
        }
    }

    static final String STATUS = "file:///status.txt";

    final Mode mode;
    final String name;
    private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();
    /** Subscribed resource URIs per session ({@code ""} for none). */
    final Map<String, Set<String>> subscriptions = new ConcurrentHashMap<>();
    /** The version of {@code file:///status.txt}, a resource that changes when a test says so. */
    final AtomicInteger status = new AtomicInteger(1);

    TestMcpLogic(Mode mode, String name) {
        this.mode = mode;
        this.name = name;
    }

    /**
     * Answers one message; null for a notification or response.
     *
     * @param session the session it arrived in ({@code ""} for none)
     * @param headers what the transport knows of the caller ({@code authorization}, ...), for {@code whoami}
     */
    ObjectNode handle(JsonNode message, String session, Map<String, String> headers) {
        if (!message.has("id") || !message.has("method")) {
            return null;
        }
        JsonNode id = message.get("id");
        String method = message.path("method").asText();
        JsonNode params = message.path("params");
        if (mode.modern()) {
            String version = params.path("_meta").path("io.modelcontextprotocol/protocolVersion").asText("");
            if (!version.equals(mode.version)) {
                ObjectNode data = JSON.createObjectNode();
                data.putArray("supported").add(mode.version);
                data.put("requested", version);
                return error(id, -32022, "Unsupported protocol version", data);
            }
        }
        return switch (method) {
            case "initialize" -> mode.modern() ? error(id, -32601, "Method not found", null) : initialize(id);
            case "server/discover" -> mode.modern() ? discover(id) : error(id, -32601, "Method not found", null);
            case "ping" -> result(id, JSON.createObjectNode());
            case "tools/list" -> result(id, tools());
            case "tools/call" -> call(id, params, session, headers);
            case "resources/list" -> {
                ObjectNode result = JSON.createObjectNode();
                ArrayNode resources = result.putArray("resources");
                resources.addObject().put("uri", "file:///readme.md").put("name", "readme.md")
                        .put("mimeType", "text/markdown");
                resources.addObject().put("uri", STATUS).put("name", "status.txt").put("mimeType", "text/plain");
                yield result(id, result);
            }
            case "resources/read" -> {
                String uri = params.path("uri").asText();
                if (uri.equals(STATUS)) {
                    ObjectNode result = JSON.createObjectNode();
                    result.putArray("contents").addObject().put("uri", uri).put("mimeType", "text/plain")
                            .put("text", "status " + status.get());
                    yield result(id, result);
                }
                if (!uri.equals("file:///readme.md")) {
                    yield error(id, mode.modern() ? -32602 : -32002, "Resource not found", null);
                }
                ObjectNode result = JSON.createObjectNode();
                result.putArray("contents").addObject().put("uri", uri).put("mimeType", "text/markdown")
                        .put("text", "# Read me, from " + name);
                yield result(id, result);
            }
            case "resources/subscribe", "resources/unsubscribe" -> {
                if (mode.modern()) {
                    yield error(id, -32601, "Method not found", null);
                }
                String uri = params.path("uri").asText();
                if (!uri.equals(STATUS) && !uri.equals("file:///readme.md")) {
                    yield error(id, -32002, "Resource not found", null);
                }
                Set<String> uris = subscriptions.computeIfAbsent(session, s -> ConcurrentHashMap.newKeySet());
                if (method.equals("resources/subscribe")) {
                    uris.add(uri);
                } else {
                    uris.remove(uri);
                }
                yield result(id, JSON.createObjectNode());
            }
            case "prompts/list" -> {
                ObjectNode result = JSON.createObjectNode();
                ObjectNode prompt = result.putArray("prompts").addObject().put("name", "greet")
                        .put("description", "Greets someone");
                prompt.putArray("arguments").addObject().put("name", "who").put("required", true);
                yield result(id, result);
            }
            case "prompts/get" -> {
                ObjectNode result = JSON.createObjectNode().put("description", "A greeting");
                result.putArray("messages").addObject().put("role", "user").putObject("content")
                        .put("type", "text").put("text", "Say hello to " + params.path("arguments").path("who")
                                .asText("nobody"));
                yield result(id, result);
            }
            default -> error(id, -32601, "Method not found", null);
        };
    }

    private ObjectNode initialize(JsonNode id) {
        ObjectNode result = JSON.createObjectNode().put("protocolVersion", mode.version);
        ObjectNode capabilities = result.putObject("capabilities");
        capabilities.putObject("tools").put("listChanged", true);
        capabilities.putObject("resources").put("subscribe", true);
        capabilities.putObject("prompts");
        result.putObject("serverInfo").put("name", name).put("version", "1.0.0");
        result.put("instructions", "Use echo to test.");
        return result(id, result);
    }

    private ObjectNode discover(JsonNode id) {
        ObjectNode result = JSON.createObjectNode().put("resultType", "complete");
        result.putArray("supportedVersions").add(mode.version);
        ObjectNode capabilities = result.putObject("capabilities");
        capabilities.putObject("tools");
        capabilities.putObject("resources");
        capabilities.putObject("prompts");
        result.putObject("_meta").putObject("io.modelcontextprotocol/serverInfo").put("name", name)
                .put("version", "1.0.0");
        result.put("ttlMs", 0).put("cacheScope", "public");
        return result(id, result);
    }

    ObjectNode tools() {
        ObjectNode result = JSON.createObjectNode();
        ArrayNode tools = result.putArray("tools");
        tool(tools, "echo", "Echoes text back", "text", "string");
        ObjectNode add = tool(tools, "add", "Adds two numbers", "a", "number");
        ((ObjectNode) add.path("inputSchema").path("properties")).putObject("b").put("type", "number");
        tool(tools, "counter", "Counts calls in this session", null, null);
        tool(tools, "fail", "Always fails", null, null);
        tool(tools, "whoami", "Tells what reached the server", null, null);
        tool(tools, "env", "Tells whether a variable is set", "name", "string");
        tool(tools, "delete_repo", "Deletes a repository", "repo", "string");
        ObjectNode region = tool(tools, "region", "Runs in a region", "region", "string");
        ((ObjectNode) region.path("inputSchema").path("properties").path("region")).put("x-mcp-header", "Region");
        ((ObjectNode) region.path("inputSchema").path("properties")).putObject("query").put("type", "string");
        if (mode.modern()) {
            result.put("ttlMs", 0).put("cacheScope", "public");
        }
        return result;
    }

    private static ObjectNode tool(ArrayNode tools, String name, String description, String argument, String type) {
        ObjectNode tool = tools.addObject().put("name", name).put("description", description);
        ObjectNode schema = tool.putObject("inputSchema").put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        if (argument != null) {
            properties.putObject(argument).put("type", type);
        }
        return tool;
    }

    private ObjectNode call(JsonNode id, JsonNode params, String session, Map<String, String> headers) {
        JsonNode arguments = params.path("arguments");
        ObjectNode result = JSON.createObjectNode();
        ArrayNode content = result.putArray("content");
        switch (params.path("name").asText()) {
            case "echo" -> {
                String text = arguments.path("text").asText("");
                content.addObject().put("type", "text").put("text", text);
                result.putObject("structuredContent").put("echo", text).put("server", name);
            }
            case "add" -> {
                double sum = arguments.path("a").asDouble() + arguments.path("b").asDouble();
                content.addObject().put("type", "text").put("text", Double.toString(sum));
                result.putObject("structuredContent").put("sum", sum);
            }
            case "counter" -> {
                int count = counters.computeIfAbsent(session, s -> new AtomicInteger()).incrementAndGet();
                content.addObject().put("type", "text").put("text", Integer.toString(count));
                result.putObject("structuredContent").put("count", count).put("session", session);
            }
            case "fail" -> {
                content.addObject().put("type", "text").put("text", "this tool always fails");
                result.put("isError", true);
            }
            case "whoami" -> {
                ObjectNode seen = result.putObject("structuredContent");
                headers.forEach(seen::put);
                seen.put("traceparent", params.path("_meta").path("traceparent").asText(""));
                seen.put("session", session);
                content.addObject().put("type", "text").put("text", seen.toString());
            }
            case "env" -> {
                String variable = arguments.path("name").asText();
                boolean set = System.getenv(variable) != null;
                content.addObject().put("type", "text").put("text", Boolean.toString(set));
                result.putObject("structuredContent").put("set", set)
                        .put("value", set ? System.getenv(variable) : "");
            }
            case "delete_repo", "region" -> content.addObject().put("type", "text").put("text", "done");
            default -> {
                return error(id, -32602, "Unknown tool: " + params.path("name").asText(), null);
            }
        }
        return result(id, result);
    }

    static ObjectNode result(JsonNode id, ObjectNode result) {
        ObjectNode message = JSON.createObjectNode().put("jsonrpc", "2.0");
        message.set("id", id);
        message.set("result", result);
        return message;
    }

    static ObjectNode error(JsonNode id, int code, String text, JsonNode data) {
        ObjectNode message = JSON.createObjectNode().put("jsonrpc", "2.0");
        message.set("id", id);
        ObjectNode error = message.putObject("error").put("code", code).put("message", text);
        if (data != null) {
            error.set("data", data);
        }
        return message;
    }
}
