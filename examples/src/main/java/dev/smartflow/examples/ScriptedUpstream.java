package dev.smartflow.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A stand-in for OpenAI that the examples' local gateway calls: chat completions (plain and streamed, with usage),
 * embeddings and the model list, in OpenAI's wire format, answering each chat with what a {@link Replier} says. It
 * keeps every request body it received, so a test can check what reached the provider (and what never did).
 */
public final class ScriptedUpstream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the stand-in model answers. */
    @FunctionalInterface
    public interface Replier {
        /**
         * @param model       the model asked for
         * @param system      the system prompt, empty when none
         * @param lastMessage the last user message
         */
        String reply(String model, String system, String lastMessage);
    }

    private final HttpServer server;
    private final Replier replier;
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();

    private ScriptedUpstream(HttpServer server, Replier replier) {
        this.server = server;
        this.replier = replier;
    }

    /** Starts on an ephemeral port of the loopback interface. */
    public static ScriptedUpstream start(Replier replier) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ScriptedUpstream upstream = new ScriptedUpstream(server, Objects.requireNonNull(replier, "replier"));
        server.createContext("/", upstream::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return upstream;
    }

    /** The base URL a provider is configured with, {@code http://127.0.0.1:<port>/v1}. */
    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Every chat request body received, in order. */
    public List<JsonNode> chats() {
        return received.stream().filter(body -> body.has("messages")).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            JsonNode body = exchange.getRequestMethod().equals("POST")
                    ? JSON.readTree(exchange.getRequestBody().readAllBytes()) : JSON.createObjectNode();
            if (body == null) {
                body = JSON.createObjectNode();
            }
            received.add(body);
            switch (path) {
                case "/v1/chat/completions" -> chat(exchange, body);
                case "/v1/embeddings" -> send(exchange, 200, "application/json", embeddings(body).toString());
                case "/v1/models" -> send(exchange, 200, "application/json",
                        "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\",\"created\":1,"
                                + "\"owned_by\":\"scripted\"},{\"id\":\"gpt-4o\",\"object\":\"model\",\"created\":1,"
                                + "\"owned_by\":\"scripted\"}]}");
                default -> send(exchange, 404, "application/json",
                        "{\"error\":{\"message\":\"unknown path\",\"type\":\"invalid_request_error\"}}");
            }
        }
    }

    private void chat(HttpExchange exchange, JsonNode body) throws IOException {
        String model = body.path("model").asText("gpt-4o-mini");
        String system = "";
        String last = "";
        int promptChars = 0;
        for (JsonNode message : body.path("messages")) {
            String text = message.path("content").asText("");
            promptChars += text.length();
            switch (message.path("role").asText()) {
                case "system" -> system = text;
                case "user" -> last = text;
                default -> {
                }
            }
        }
        String reply = replier.reply(model, system, last);
        int prompt = Math.max(1, promptChars / 4);
        int completion = Math.max(1, reply.split("\\s+").length);
        if (body.path("stream").asBoolean()) {
            StringBuilder events = new StringBuilder();
            List<String> words = words(reply);
            for (String word : words) {
                ObjectNode chunk = chunk(model);
                chunk.withArray("choices").addObject().put("index", 0).putObject("delta").put("content", word);
                events.append("data: ").append(chunk).append("\n\n");
            }
            ObjectNode end = chunk(model);
            end.withArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("delta");
            events.append("data: ").append(end).append("\n\n");
            if (body.path("stream_options").path("include_usage").asBoolean()) {
                ObjectNode usage = chunk(model);
                usage.putArray("choices");
                usage.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                        .put("total_tokens", prompt + completion);
                events.append("data: ").append(usage).append("\n\n");
            }
            events.append("data: [DONE]\n\n");
            send(exchange, 200, "text/event-stream", events.toString());
            return;
        }
        ObjectNode answer = JSON.createObjectNode().put("id", "chatcmpl-scripted").put("object", "chat.completion")
                .put("created", 1_700_000_000).put("model", model);
        answer.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop")
                .putObject("message").put("role", "assistant").put("content", reply);
        answer.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
        send(exchange, 200, "application/json", answer.toString());
    }

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == ' ') {
                words.add(text.substring(start, i));
                start = i;
            }
        }
        return words;
    }

    private static ObjectNode chunk(String model) {
        return JSON.createObjectNode().put("id", "chatcmpl-scripted").put("object", "chat.completion.chunk")
                .put("created", 1_700_000_000).put("model", model);
    }

    /** A small vector per input, the same for the same text. */
    private static JsonNode embeddings(JsonNode body) {
        List<String> inputs = new ArrayList<>();
        if (body.path("input").isArray()) {
            body.path("input").forEach(input -> inputs.add(input.asText()));
        } else {
            inputs.add(body.path("input").asText());
        }
        ObjectNode answer = JSON.createObjectNode().put("object", "list")
                .put("model", body.path("model").asText("text-embedding-3-small"));
        ArrayNode data = answer.putArray("data");
        for (int i = 0; i < inputs.size(); i++) {
            ArrayNode vector = data.addObject().put("object", "embedding").put("index", i).putArray("embedding");
            int hash = inputs.get(i).hashCode();
            for (int d = 0; d < 8; d++) {
                vector.add(((hash >> (d * 4)) & 0xF) / 15.0 - 0.5);
            }
        }
        answer.putObject("usage").put("prompt_tokens", inputs.size()).put("total_tokens", inputs.size());
        return answer;
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
