package dev.smartflow.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;

/**
 * A fake Amazon Bedrock runtime, Vertex AI and Replicate on one server, each speaking its own wire format: Bedrock's
 * Converse JSON and binary event stream (encoded with the AWS SDK's event-stream codec), Vertex's Gemini and Claude
 * endpoints, Replicate's predictions and their stream. Paths tell them apart; tests replace an answer by path with
 * {@link #answer(String, MockResponse)}.
 */
final class CloudUpstream implements AutoCloseable {
    static final String CONVERSE = """
            {"output":{"message":{"role":"assistant","content":[{"text":"Hello from Bedrock"}]}},\
            "stopReason":"end_turn","usage":{"inputTokens":1000,"outputTokens":500,"totalTokens":1500},\
            "metrics":{"latencyMs":300}}""";
    static final String GEMINI = """
            {"candidates":[{"content":{"role":"model","parts":[{"text":"Hello from Vertex Gemini"}]},\
            "finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":400,\
            "totalTokenCount":1400},"modelVersion":"gemini-2.5-flash","responseId":"vtx-1"}""";
    static final String GEMINI_STREAM = """
            data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]},"index":0}],\
            "modelVersion":"gemini-2.5-flash","responseId":"vtx-2"}

            data: {"candidates":[{"content":{"role":"model","parts":[{"text":"lo!"}]},"finishReason":"STOP",\
            "index":0}],"usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":400,"totalTokenCount":1400},\
            "modelVersion":"gemini-2.5-flash","responseId":"vtx-2"}

            """;
    static final String CLAUDE = """
            {"id":"msg_vrtx_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",\
            "content":[{"type":"text","text":"Hello from Vertex Claude"}],"stop_reason":"end_turn",\
            "stop_sequence":null,"usage":{"input_tokens":1000,"output_tokens":100}}""";
    static final String PREDICTION = """
            {"id":"p-1","model":"meta/meta-llama-3-70b-instruct","status":"succeeded",\
            "output":["Hello"," from"," Replicate"],"error":null,\
            "urls":{"get":"https://api.replicate.com/v1/predictions/p-1"},\
            "metrics":{"input_token_count":1000,"output_token_count":200,"predict_time":1.2}}""";
    static final String REPLICATE_STREAM = """
            event: output
            data: Hel

            event: output
            data: lo!

            event: done
            data: {}

            """;

    final MockWebServer server = new MockWebServer();
    private final Map<String, MockResponse> overrides = new ConcurrentHashMap<>();

    CloudUpstream() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getUrl().encodedPath();
                MockResponse override = overrides.get(path);
                if (override != null) {
                    return override;
                }
                String body = request.getBody() == null ? "" : request.getBody().utf8();
                if (path.startsWith("/model/") && path.endsWith("/converse")) {
                    return Upstream.json(200, CONVERSE);
                }
                if (path.startsWith("/model/") && path.endsWith("/converse-stream")) {
                    return new MockResponse.Builder().addHeader("content-type", "application/vnd.amazon.eventstream")
                            .body(converseStream()).build();
                }
                if (path.endsWith(":generateContent")) {
                    return Upstream.json(200, GEMINI);
                }
                if (path.endsWith(":streamGenerateContent")) {
                    return sse(GEMINI_STREAM);
                }
                if (path.endsWith(":rawPredict")) {
                    return Upstream.json(200, CLAUDE);
                }
                if (path.endsWith(":streamRawPredict")) {
                    return sse(Upstream.MESSAGE_STREAM);
                }
                if (path.startsWith("/v1/models/") && path.endsWith("/predictions")) {
                    return body.contains("\"stream\":true")
                            ? Upstream.json(201, PREDICTION.replace("\"succeeded\"", "\"starting\"")
                                    .replace("\"get\":", "\"stream\":\"" + server.url("/v1/streams/p-1") + "\",\"get\":"))
                            : Upstream.json(201, PREDICTION);
                }
                if (path.equals("/v1/streams/p-1")) {
                    return sse(REPLICATE_STREAM);
                }
                if (path.equals("/v1/predictions/p-1")) {
                    return Upstream.json(200, PREDICTION);
                }
                return Upstream.json(404, "{\"message\":\"unknown path " + path + "\"}");
            }
        });
        server.start();
    }

    String base() {
        return server.url("/").toString();
    }

    void answer(String path, MockResponse response) {
        overrides.put(path, response);
    }

    private static MockResponse sse(String text) {
        return new MockResponse.Builder().addHeader("content-type", "text/event-stream").body(text).build();
    }

    private static Buffer converseStream() {
        Buffer body = new Buffer();
        body.write(event("messageStart", "{\"role\":\"assistant\"}"));
        body.write(event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hel\"}}"));
        body.write(event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"lo!\"}}"));
        body.write(event("contentBlockStop", "{\"contentBlockIndex\":0}"));
        body.write(event("messageStop", "{\"stopReason\":\"end_turn\"}"));
        body.write(event("metadata", "{\"usage\":{\"inputTokens\":1000,\"outputTokens\":500,\"totalTokens\":1500},"
                + "\"metrics\":{\"latencyMs\":250}}"));
        return body;
    }

    private static byte[] event(String type, String json) {
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        headers.put(":event-type", HeaderValue.fromString(type));
        headers.put(":content-type", HeaderValue.fromString("application/json"));
        headers.put(":message-type", HeaderValue.fromString("event"));
        ByteBuffer encoded = new Message(headers, json.getBytes(StandardCharsets.UTF_8)).toByteBuffer();
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }

    @Override
    public void close() {
        server.close();
    }
}
