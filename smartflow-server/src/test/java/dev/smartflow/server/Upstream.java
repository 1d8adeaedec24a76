package dev.smartflow.server;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.BufferedSink;

/**
 * A fake OpenAI and Anthropic upstream speaking the real wire formats: answers by path, and for streams by the
 * request's {@code "stream":true} (with the usage chunk only when {@code stream_options.include_usage} asked). Tests
 * replace an answer with {@link #answer(String, MockResponse)}.
 */
final class Upstream implements AutoCloseable {
    static final String CHAT = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini-2024-07-18",\
            "choices":[{"index":0,"message":{"role":"assistant","content":"Hello from upstream","refusal":null},\
            "logprobs":null,"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12},"system_fingerprint":"fp_1"}""";
    static final String EMBEDDINGS = """
            {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.25,-0.5,0.75]}],\
            "model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}""";
    static final String MODELS = """
            {"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1721172741,"owned_by":"system"},\
            {"id":"text-embedding-3-small","object":"model","created":1705948997,"owned_by":"system"}]}""";
    static final String[] STREAM = {
        "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}",
        "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}",
        "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo!\"},\"finish_reason\":null}]}",
        "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
        "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}",
    };

    /** {@link #STREAM} as OpenAI sends it to a request without {@code stream_options.include_usage}. */
    static final String[] STREAM_WITHOUT_USAGE = Arrays.copyOf(STREAM, STREAM.length - 1);

    static final String MESSAGE = """
            {"id":"msg_01Gw","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",\
            "content":[{"type":"text","text":"Hello from Claude"}],"stop_reason":"end_turn","stop_sequence":null,\
            "usage":{"input_tokens":9,"cache_read_input_tokens":0,"cache_creation_input_tokens":0,"output_tokens":4}}""";
    /** Anthropic's stream: named events, a ping, and no {@code [DONE]}. */
    static final String MESSAGE_STREAM = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_01Gs","type":"message","role":"assistant",\
            "model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,\
            "usage":{"input_tokens":9,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: ping
            data: {"type":"ping"}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo!"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},\
            "usage":{"output_tokens":2}}

            event: message_stop
            data: {"type":"message_stop"}

            """;

    static final String IMAGES = """
            {"created":1713833628,"data":[{"url":"https://images.example/1.png","revised_prompt":"a grey cat"},\
            {"url":"https://images.example/2.png","revised_prompt":"a grey cat"}]}""";
    static final String TRANSCRIPTION = """
            {"text":"Hello from the recording.","usage":{"type":"duration","seconds":61.5}}""";
    static final String RERANK = """
            {"id":"rr-1","results":[{"index":1,"relevance_score":0.92},{"index":0,"relevance_score":0.11}],\
            "usage":{"total_tokens":25}}""";
    /** Deepgram's pre-recorded answer. */
    static final String DEEPGRAM = """
            {"metadata":{"request_id":"dg-1","duration":12.5,"channels":1},"results":{"channels":[{"alternatives":\
            [{"transcript":"Hello from Deepgram.","confidence":0.99,"words":[]}],"detected_language":"en"}]}}""";
    /** What the fake speaks: 40 KiB of audio-like bytes, more than one relay chunk. */
    static final byte[] SPEECH = speech();

    final MockWebServer server = new MockWebServer();
    private final Map<String, MockResponse> overrides = new ConcurrentHashMap<>();

    Upstream() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                MockResponse override = overrides.get(request.getUrl().encodedPath());
                if (override != null) {
                    return override;
                }
                String body = request.getBody() == null ? "" : request.getBody().utf8();
                return switch (request.getUrl().encodedPath()) {
                    case "/v1/chat/completions" -> !body.contains("\"stream\":true") ? json(200, CHAT)
                            // as OpenAI does: the usage chunk only for a request that asked for it
                            : body.contains("\"include_usage\":true") ? sse(STREAM) : sse(STREAM_WITHOUT_USAGE);
                    case "/v1/embeddings" -> json(200, EMBEDDINGS);
                    case "/v1/models" -> json(200, MODELS);
                    case "/v1/images/generations" -> json(200, IMAGES);
                    case "/v1/audio/transcriptions" -> json(200, TRANSCRIPTION);
                    case "/v1/rerank" -> json(200, RERANK);
                    case "/v1/listen" -> json(200, DEEPGRAM);
                    case "/v1/audio/speech" -> new MockResponse.Builder().addHeader("content-type", "audio/mpeg")
                            .body(new okio.Buffer().write(SPEECH)).build();
                    case "/v1/messages" -> body.contains("\"stream\":true")
                            ? new MockResponse.Builder().addHeader("content-type", "text/event-stream")
                                    .body(MESSAGE_STREAM).build()
                            : json(200, MESSAGE);
                    default -> json(404, "{\"error\":{\"message\":\"unknown path\",\"type\":\"invalid_request_error\"}}");
                };
            }
        });
        server.start();
    }

    private static byte[] speech() {
        byte[] bytes = new byte[40 * 1024];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }

    String base() {
        return server.url("/v1").toString();
    }

    /** Anthropic's base URL has no {@code /v1}: the adapter adds it. */
    String anthropicBase() {
        return server.url("/").toString();
    }

    void answer(String path, MockResponse response) {
        overrides.put(path, response);
    }

    static MockResponse json(int status, String body) {
        return new MockResponse.Builder().code(status).addHeader("content-type", "application/json").body(body)
                .build();
    }

    static String sseText(String... events) {
        StringBuilder text = new StringBuilder();
        for (String event : events) {
            text.append("data: ").append(event).append("\n\n");
        }
        return text.append("data: [DONE]\n\n").toString();
    }

    static MockResponse sse(String... events) {
        return new MockResponse.Builder().addHeader("content-type", "text/event-stream").body(sseText(events)).build();
    }

    /** A stream that sends its first event, then holds the rest until {@code release} opens. */
    static MockResponse heldStream(CountDownLatch release, String first, String... rest) {
        return held(release, "data: " + first + "\n\n", sseText(rest));
    }

    /** A stream whose headers arrive at once and whose body is held until {@code release} opens, then empty. */
    static MockResponse heldBeforeFirstChunk(CountDownLatch release) {
        return held(release, "", "");
    }

    /** Sends {@code before} (and the headers), waits up to 10 s for {@code release}, then sends {@code after}. */
    private static MockResponse held(CountDownLatch release, String before, String after) {
        MockResponseBody body = new MockResponseBody() {
            @Override
            public long getContentLength() {
                return -1;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.writeUtf8(before).flush();
                try {
                    if (!release.await(10, TimeUnit.SECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                sink.writeUtf8(after).flush();
            }
        };
        return new MockResponse.Builder().addHeader("content-type", "text/event-stream").body(body).build();
    }

    @Override
    public void close() {
        server.close();
    }
}
