package dev.smartflow.cache.metacache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * An OpenAI and Anthropic upstream on the real wire formats whose every answer names the question it answers
 * ({@code "answer to: <last user turn>"}), so a test sees at once when the cache serves one question's answer to
 * another. Streams when asked ({@code "stream":true}), with OpenAI's usage chunk only when
 * {@code stream_options.include_usage} asked for it, as OpenAI does. {@link #answer} overrides the next answers.
 */
final class FakeUpstream implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    final MockWebServer server = new MockWebServer();
    final AtomicInteger calls = new AtomicInteger();
    private final Map<String, MockResponse> overrides = new ConcurrentHashMap<>();

    FakeUpstream() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                calls.incrementAndGet();
                String path = request.getUrl().encodedPath();
                MockResponse override = overrides.get(path);
                if (override != null) {
                    return override;
                }
                JsonNode body;
                try {
                    body = JSON.readTree(request.getBody() == null ? "{}" : request.getBody().utf8());
                } catch (IOException e) {
                    return json(400, "{\"error\":{\"message\":\"bad json\",\"type\":\"invalid_request_error\"}}");
                }
                String question = lastUser(body);
                boolean stream = body.path("stream").asBoolean(false);
                return switch (path) {
                    case "/v1/chat/completions" -> stream
                            ? sse(openAiStream(question, body.path("stream_options").path("include_usage")
                                    .asBoolean(false)))
                            : json(200, openAi(question));
                    case "/v1/messages" -> stream ? anthropicStream(question) : json(200, anthropic(question));
                    default -> json(404, "{\"error\":{\"message\":\"unknown path\"}}");
                };
            }
        });
        server.start();
    }

    String openAiBase() {
        return server.url("/v1").toString();
    }

    String anthropicBase() {
        return server.url("/").toString();
    }

    /** Answers every later call of {@code path} with {@code response}. */
    void answer(String path, MockResponse response) {
        overrides.put(path, response);
    }

    static String lastUser(JsonNode body) {
        JsonNode messages = body.path("messages");
        JsonNode last = messages.path(messages.size() - 1);
        JsonNode content = last.path("content");
        if (content.isTextual()) {
            return content.textValue();
        }
        StringBuilder text = new StringBuilder();
        content.forEach(part -> text.append(part.path("text").asText()));
        return text.toString();
    }

    static String answerTo(String question) {
        return "answer to: " + question;
    }

    static String openAi(String question) {
        ObjectNode completion = JSON.createObjectNode();
        completion.put("id", "chatcmpl-1").put("object", "chat.completion").put("created", 1_700_000_000L)
                .put("model", "gpt-4o-mini-2024-07-18");
        ObjectNode choice = completion.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", answerTo(question)).putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        completion.putObject("usage").put("prompt_tokens", 20).put("completion_tokens", 10).put("total_tokens", 30);
        return completion.toString();
    }

    static String[] openAiStream(String question, boolean usage) {
        String head = "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"gpt-4o-mini-2024-07-18\",";
        String answer = answerTo(question);
        int half = answer.length() / 2;
        String[] events = {
            head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                    + "\"finish_reason\":null}]}",
            head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":" + quote(answer.substring(0, half))
                    + "},\"finish_reason\":null}]}",
            head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":" + quote(answer.substring(half))
                    + "},\"finish_reason\":null}]}",
            head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
            head + "\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":10,\"total_tokens\":30}}",
        };
        return usage ? events : Arrays.copyOf(events, events.length - 1);
    }

    static String anthropic(String question) {
        ObjectNode message = JSON.createObjectNode();
        message.put("id", "msg_01").put("type", "message").put("role", "assistant")
                .put("model", "claude-sonnet-4-5-20250929");
        message.putArray("content").addObject().put("type", "text").put("text", answerTo(question));
        message.put("stop_reason", "end_turn").putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", 20).put("output_tokens", 10);
        return message.toString();
    }

    static MockResponse anthropicStream(String question) {
        String answer = answerTo(question);
        String text = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_02","type":"message","role":"assistant",\
                "model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,\
                "usage":{"input_tokens":20,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: ping
                data: {"type":"ping"}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":%s}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},\
                "usage":{"output_tokens":10}}

                event: message_stop
                data: {"type":"message_stop"}

                """.formatted(quote(answer));
        return new MockResponse.Builder().addHeader("content-type", "text/event-stream").body(text).build();
    }

    static String quote(String text) {
        return JSON.getNodeFactory().textNode(text).toString();
    }

    static MockResponse json(int status, String body) {
        return new MockResponse.Builder().code(status).addHeader("content-type", "application/json").body(body)
                .build();
    }

    static MockResponse sse(String... events) {
        StringBuilder text = new StringBuilder();
        for (String event : events) {
            text.append("data: ").append(event).append("\n\n");
        }
        text.append("data: [DONE]\n\n");
        return new MockResponse.Builder().addHeader("content-type", "text/event-stream").body(text.toString())
                .build();
    }

    @Override
    public void close() {
        server.close();
    }
}
