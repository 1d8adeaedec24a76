package dev.smartflow.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * OpenAI on a local port, speaking the real wire format: two models listed; a streamed chat is answered in three chunks that say
 * {@value #STREAMED} and then a usage chunk; a whole one with {@value #WHOLE}, unless it is the policy library's
 * document prompt, which gets one suggested policy in the JSON that prompt asks for. Every chat body is recorded.
 */
final class FakeModel implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String STREAMED = "Hello from SafeChat";
    static final String WHOLE = "Hello from the model";

    final MockWebServer server = new MockWebServer();
    final List<JsonNode> chats = new CopyOnWriteArrayList<>();

    FakeModel() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getUrl().encodedPath().equals("/v1/models")) {
                    return json(200, "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":"
                            + "\"model\",\"owned_by\":\"openai\"},{\"id\":\"gpt-4o\",\"object\":\"model\","
                            + "\"owned_by\":\"openai\"}]}");
                }
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
                if (body.path("stream").asBoolean()) {
                    return streamed();
                }
                String system = body.path("messages").path(0).path("content").asText("");
                if (system.contains("polic")) {
                    ObjectNode answer = JSON.createObjectNode();
                    answer.putArray("policies").addObject().put("name", "No shared passwords")
                            .put("type", "security").put("content", "Never share a password in a chat.")
                            .put("priority", 85).put("confidence", 0.9).putNull("regulatory_framework");
                    return chat(answer.toString());
                }
                return chat(WHOLE);
            }
        });
        server.start();
    }

    String base() {
        return server.url("/v1").toString();
    }

    /** The last user message the model received. */
    String lastUserMessage() {
        JsonNode chat = chats.getLast();
        JsonNode messages = chat.path("messages");
        return messages.get(messages.size() - 1).path("content").asText();
    }

    private static MockResponse streamed() {
        StringBuilder sse = new StringBuilder();
        String[] parts = {"Hello", " from", " SafeChat"};
        for (String part : parts) {
            ObjectNode chunk = chunk();
            chunk.putArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta")
                    .put("content", part);
            sse.append("data: ").append(chunk).append("\n\n");
        }
        ObjectNode last = chunk();
        last.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("delta");
        sse.append("data: ").append(last).append("\n\n");
        ObjectNode usage = chunk();
        usage.putArray("choices");
        usage.putObject("usage").put("prompt_tokens", 12).put("completion_tokens", 3).put("total_tokens", 15);
        sse.append("data: ").append(usage).append("\n\n");
        sse.append("data: [DONE]\n\n");
        return new MockResponse.Builder().code(200).addHeader("content-type", "text/event-stream")
                .body(sse.toString()).build();
    }

    private static ObjectNode chunk() {
        return JSON.createObjectNode().put("id", "chatcmpl-s").put("object", "chat.completion.chunk")
                .put("created", 1700000000).put("model", "gpt-4o-mini-2024-07-18");
    }

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
