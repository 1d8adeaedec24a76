package dev.smartflow.compliance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * An OpenAI-compatible upstream on a local port speaking the real wire format: every chat completion is answered by
 * {@link #answer} (by default a plain assistant message), and every request body is recorded for assertions.
 */
final class FakeOpenAi implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final MockWebServer server = new MockWebServer();
    final List<JsonNode> chats = new CopyOnWriteArrayList<>();
    private volatile Function<JsonNode, MockResponse> answer = request -> chat("Hello from upstream");

    FakeOpenAi() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (!request.getUrl().encodedPath().equals("/v1/chat/completions")) {
                    return json(404, "{\"error\":{\"message\":\"unknown path\",\"type\":\"invalid_request_error\"}}");
                }
                JsonNode body;
                try {
                    body = JSON.readTree(request.getBody() == null ? "{}" : request.getBody().utf8());
                } catch (IOException e) {
                    return json(400, "{\"error\":{\"message\":\"bad json\",\"type\":\"invalid_request_error\"}}");
                }
                chats.add(body);
                return answer.apply(body);
            }
        });
        server.start();
    }

    String base() {
        return server.url("/v1").toString();
    }

    void answer(Function<JsonNode, MockResponse> value) {
        this.answer = value;
    }

    /** The user messages of the chats received, in order. */
    List<String> userMessages() {
        return chats.stream().map(c -> c.path("messages").get(c.path("messages").size() - 1).path("content").asText())
                .toList();
    }

    /** A chat completion whose assistant message is {@code content}. */
    static MockResponse chat(String content) {
        ObjectNode root = JSON.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion")
                .put("created", 1700000000).put("model", "gpt-4o-mini-2024-07-18");
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", content);
        root.putObject("usage").put("prompt_tokens", 9).put("completion_tokens", 3).put("total_tokens", 12);
        return json(200, root.toString());
    }

    static MockResponse json(int status, String body) {
        return new MockResponse.Builder().code(status).addHeader("content-type", "application/json").body(body)
                .build();
    }

    @Override
    public void close() {
        server.close();
    }
}
