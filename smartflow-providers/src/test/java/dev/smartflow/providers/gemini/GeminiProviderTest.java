package dev.smartflow.providers.gemini;

import static dev.smartflow.providers.WireFixtures.answer;
import static dev.smartflow.providers.WireFixtures.exchange;
import static dev.smartflow.providers.WireFixtures.json;
import static dev.smartflow.providers.WireFixtures.sse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.WireFixtures;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The adapter against a fake Gemini speaking the documented wire format: what it sends, what it makes of it. */
@Timeout(20)
final class GeminiProviderTest {
    private static final String KEY = "AIzaSyD-test-key-0123456789abcdefghijk";
    private static final String CHAT = """
            {"model":"gemini-2.5-flash","messages":[{"role":"system","content":"Be brief."},\
            {"role":"user","content":"Say hello"}],"max_tokens":256,"temperature":0.5}""";
    private static final String WEATHER_TOOLS = """
            "tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather",\
            "parameters":{"type":"object","properties":{"location":{"type":"string"}}}}}]""";

    @StartStop
    private final MockWebServer server = new MockWebServer();
    private final HttpTransport transport = HttpTransport.create();

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    private GeminiProvider gemini() {
        return gemini(true);
    }

    private GeminiProvider gemini(boolean enabled) {
        ProviderSettings settings = ProviderSettings.of("gemini").withApiKey(KEY)
                .withApiBase(server.url("/").toString());
        return new GeminiProvider(settings, transport, enabled, InstantSource.fixed(Instant.ofEpochSecond(1700000000)));
    }

    static String text(String name) {
        return WireFixtures.text("gemini", name);
    }

    private static List<JsonNode> readAll(ChunkStream stream) {
        return WireFixtures.readAll(stream).stream().map(chunk -> chunk.data().json()).toList();
    }

    private static JsonNode delta(JsonNode chunk) {
        return chunk.path("choices").path(0).path("delta");
    }

    private static String streamingChat(boolean includeUsage) {
        return CHAT.replace("\"max_tokens\"", "\"stream\":true,"
                + (includeUsage ? "\"stream_options\":{\"include_usage\":true}," : "") + "\"max_tokens\"");
    }

    @Test
    void chatIsSentAsGenerateContentWithTheKeyInAHeaderOnly() throws Exception {
        server.enqueue(answer(200, text("generate-content.json")));

        gemini().call(exchange(Operation.CHAT, CHAT, "authorization", "Bearer sk-caller-key-0123456789"),
                "gemini-2.5-flash");

        RecordedRequest sent = server.takeRequest();
        assertEquals("POST", sent.getMethod());
        assertEquals("/v1beta/models/gemini-2.5-flash:generateContent", sent.getUrl().encodedPath());
        assertNull(sent.getUrl().query(), "the key never goes in the URL");
        assertEquals(KEY, sent.getHeaders().get("x-goog-api-key"));
        assertNull(sent.getHeaders().get("Authorization"), "the caller's credentials stay with Smartflow");
        assertEquals(json("""
                {"contents":[{"role":"user","parts":[{"text":"Say hello"}]}],\
                "systemInstruction":{"parts":[{"text":"Be brief."}]},\
                "generationConfig":{"temperature":0.5,"maxOutputTokens":256}}"""), json(sent.getBody().utf8()));
    }

    @Test
    void generateContentAnswerComesBackAsAChatCompletion() {
        server.enqueue(answer(200, text("generate-content.json")));

        Response response = gemini().call(exchange(Operation.CHAT, CHAT), "gemini-2.5-flash");

        JsonNode body = assertInstanceOf(Response.Complete.class, response).body().json();
        assertEquals("chat.completion", body.path("object").asText());
        assertEquals("chatcmpl-mXu1aKfGMrKnz7IPq4mBwQc", body.path("id").asText());
        assertEquals(1700000000L, body.path("created").asLong());
        assertEquals("gemini-2.5-flash", body.path("model").asText());
        JsonNode choice = body.path("choices").path(0);
        assertEquals("assistant", choice.path("message").path("role").asText());
        assertEquals("Hello from Gemini", choice.path("message").path("content").asText());
        assertEquals("stop", choice.path("finish_reason").asText());
        JsonNode usage = body.path("usage");
        assertEquals(120, usage.path("prompt_tokens").asInt());
        assertEquals(20, usage.path("completion_tokens").asInt(), "answer and thinking tokens");
        assertEquals(140, usage.path("total_tokens").asInt());
        assertEquals(100, usage.path("prompt_tokens_details").path("cached_tokens").asInt());
        assertEquals(16, usage.path("completion_tokens_details").path("reasoning_tokens").asInt());
    }

    @Test
    void functionCallAnswerComesBackAsToolCalls() throws Exception {
        server.enqueue(answer(200, text("function-call.json")));

        Response.Complete complete = (Response.Complete) gemini().call(exchange(Operation.CHAT,
                "{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}],"
                        + WEATHER_TOOLS + ",\"tool_choice\":\"required\"}"), "gemini-2.5-flash");

        JsonNode sent = json(server.takeRequest().getBody().utf8());
        JsonNode declaration = sent.path("tools").path(0).path("functionDeclarations").path(0);
        assertEquals("get_weather", declaration.path("name").asText());
        assertEquals("Current weather", declaration.path("description").asText());
        assertEquals("string", declaration.path("parameters").path("properties").path("location").path("type")
                .asText());
        assertEquals("ANY", sent.path("toolConfig").path("functionCallingConfig").path("mode").asText());
        JsonNode choice = complete.body().json().path("choices").path(0);
        assertEquals("tool_calls", choice.path("finish_reason").asText());
        assertTrue(choice.path("message").path("content").isNull());
        JsonNode call = choice.path("message").path("tool_calls").path(0);
        assertTrue(call.path("id").asText().startsWith("call_"), call.toString());
        assertEquals("function", call.path("type").asText());
        assertEquals("get_weather", call.path("function").path("name").asText());
        assertEquals(json("{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"),
                json(call.path("function").path("arguments").asText()));
    }

    @Test
    void textStreamGoesToStreamGenerateContentWithAltSseAndBecomesChunksEndingWithUsage() throws Exception {
        server.enqueue(sse(text("text-stream.sse")));

        Response response = gemini().call(exchange(Operation.CHAT, streamingChat(true)), "gemini-2.5-flash");

        RecordedRequest sent = server.takeRequest();
        assertEquals("/v1beta/models/gemini-2.5-flash:streamGenerateContent", sent.getUrl().encodedPath());
        assertEquals("alt=sse", sent.getUrl().query());
        assertEquals(KEY, sent.getHeaders().get("x-goog-api-key"));
        assertEquals("text/event-stream", sent.getHeaders().get("Accept"));
        assertFalse(json(sent.getBody().utf8()).has("stream"), "Gemini knows no stream field");
        List<JsonNode> chunks = readAll(assertInstanceOf(Response.Streamed.class, response).chunks());
        assertEquals(5, chunks.size(), chunks.toString());
        for (JsonNode chunk : chunks) {
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            assertEquals("chatcmpl-sTr1aOqLA9bVz7IP8ZWg-Qs", chunk.path("id").asText());
            assertEquals("gemini-2.5-flash", chunk.path("model").asText());
            assertEquals(1700000000L, chunk.path("created").asLong());
        }
        assertEquals("assistant", delta(chunks.get(0)).path("role").asText());
        assertEquals("Hello", delta(chunks.get(1)).path("content").asText());
        assertEquals(" there!", delta(chunks.get(2)).path("content").asText());
        assertEquals("stop", chunks.get(3).path("choices").path(0).path("finish_reason").asText());
        assertTrue(chunks.get(4).path("choices").isEmpty());
        JsonNode usage = chunks.get(4).path("usage");
        assertEquals(12, usage.path("prompt_tokens").asInt());
        assertEquals(3, usage.path("completion_tokens").asInt());
        assertEquals(15, usage.path("total_tokens").asInt());
        assertEquals(8, usage.path("prompt_tokens_details").path("cached_tokens").asInt());
    }

    @Test
    void streamWithoutIncludeUsageHasNoUsageChunk() {
        server.enqueue(sse(text("text-stream.sse")));

        Response.Streamed streamed = (Response.Streamed) gemini().call(exchange(Operation.CHAT,
                streamingChat(false)), "gemini-2.5-flash");

        List<JsonNode> chunks = readAll(streamed.chunks());
        assertEquals(4, chunks.size());
        assertFalse(chunks.get(3).has("usage"));
    }

    @Test
    void functionCallStreamBecomesWholeToolCallDeltas() {
        server.enqueue(sse(text("function-call-stream.sse")));

        Response.Streamed streamed = (Response.Streamed) gemini().call(exchange(Operation.CHAT,
                "{\"model\":\"gemini-2.5-flash\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"Weather?\"}]," + WEATHER_TOOLS + "}"), "gemini-2.5-flash");

        List<JsonNode> chunks = readAll(streamed.chunks());
        List<JsonNode> calls = new ArrayList<>();
        StringBuilder content = new StringBuilder();
        for (JsonNode chunk : chunks) {
            delta(chunk).path("tool_calls").forEach(calls::add);
            content.append(delta(chunk).path("content").asText(""));
        }
        assertEquals("Checking.", content.toString());
        assertEquals(2, calls.size(), calls.toString());
        assertEquals(0, calls.get(0).path("index").asInt());
        assertEquals(1, calls.get(1).path("index").asInt());
        assertTrue(calls.get(0).path("id").asText().startsWith("call_"));
        assertFalse(calls.get(0).path("id").asText().equals(calls.get(1).path("id").asText()));
        assertEquals("function", calls.get(0).path("type").asText());
        assertEquals("get_weather", calls.get(0).path("function").path("name").asText());
        assertEquals(json("{\"location\":\"Paris\"}"), json(calls.get(0).path("function").path("arguments")
                .asText()));
        assertEquals("get_time", calls.get(1).path("function").path("name").asText());
        assertEquals("tool_calls", chunks.getLast().path("choices").path(0).path("finish_reason").asText());
    }

    @Test
    void errorMidStreamIsThrownAsARetryableUpstreamFailure() {
        server.enqueue(sse(text("error-mid-stream.sse")));
        Response.Streamed streamed = (Response.Streamed) gemini().call(exchange(Operation.CHAT,
                streamingChat(false)), "gemini-2.5-flash");
        ChunkStream chunks = streamed.chunks();

        assertTrue(chunks.hasNext());
        chunks.next();
        assertEquals("Partial", delta(chunks.next().data().json()).path("content").asText());
        UpstreamFailure failure = assertThrows(UpstreamFailure.class, chunks::hasNext);

        assertEquals(502, failure.status());
        assertTrue(failure.retryable());
        assertEquals(503, failure.upstreamStatus().orElseThrow());
        assertTrue(failure.getMessage().contains("overloaded"), failure.getMessage());
        chunks.close();
    }

    @Test
    void streamCutBeforeAFinishReasonIsABrokenStream() {
        String transcript = text("text-stream.sse");
        server.enqueue(sse(transcript.substring(0, transcript.lastIndexOf("data: "))));
        Response.Streamed streamed = (Response.Streamed) gemini().call(exchange(Operation.CHAT,
                streamingChat(false)), "gemini-2.5-flash");

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> readAll(streamed.chunks()));

        assertEquals(502, failure.status());
        assertTrue(failure.getMessage().contains("ended early"), failure.getMessage());
    }

    @Test
    void connectionDroppedMidStreamIsARetryableUpstreamFailure() {
        server.enqueue(new MockResponse.Builder()
                .addHeader("content-type", "text/event-stream")
                .body(text("text-stream.sse"))
                .onResponseBody(new SocketEffect.CloseSocket(true, false, false))
                .build());
        Response.Streamed streamed = (Response.Streamed) gemini().call(exchange(Operation.CHAT,
                streamingChat(false)), "gemini-2.5-flash");

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> readAll(streamed.chunks()));

        assertEquals(502, failure.status());
        assertTrue(failure.retryable());
    }

    @Test
    void embeddingsGoToBatchEmbedContentsAndComeBackInOpenAisShape() throws Exception {
        server.enqueue(answer(200, text("embeddings.json")));

        Response.Complete complete = (Response.Complete) gemini().call(exchange(Operation.EMBEDDINGS,
                "{\"model\":\"gemini/gemini-embedding-001\",\"input\":[\"first\",\"second\"],\"dimensions\":3}"),
                "gemini-embedding-001");

        RecordedRequest sent = server.takeRequest();
        assertEquals("/v1beta/models/gemini-embedding-001:batchEmbedContents", sent.getUrl().encodedPath());
        assertEquals(KEY, sent.getHeaders().get("x-goog-api-key"));
        assertEquals(json("""
                {"requests":[\
                {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"first"}]},\
                "outputDimensionality":3},\
                {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"second"}]},\
                "outputDimensionality":3}\
                ]}"""), json(sent.getBody().utf8()));
        JsonNode body = complete.body().json();
        assertEquals("list", body.path("object").asText());
        assertEquals("gemini-embedding-001", body.path("model").asText());
        assertEquals(2, body.path("data").size());
        assertEquals("embedding", body.path("data").path(1).path("object").asText());
        assertEquals(1, body.path("data").path(1).path("index").asInt());
        assertEquals(-0.5, body.path("data").path(1).path("embedding").path(0).asDouble());
        assertEquals(0, body.path("usage").path("prompt_tokens").asInt());
        assertEquals(0, body.path("usage").path("total_tokens").asInt());
    }

    @Test
    void singleEmbeddingInputAsBase64IsLittleEndianFloats() {
        server.enqueue(answer(200, "{\"embeddings\":[{\"values\":[1.0,-2.0]}]}"));

        Response.Complete complete = (Response.Complete) gemini().call(exchange(Operation.EMBEDDINGS,
                "{\"model\":\"gemini-embedding-001\",\"input\":\"only\",\"encoding_format\":\"base64\"}"),
                "gemini-embedding-001");

        String encoded = complete.body().json().path("data").path(0).path("embedding").asText();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(encoded))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(1.0f, bytes.getFloat());
        assertEquals(-2.0f, bytes.getFloat());
    }

    @Test
    void modelsAreListedWithoutTheResourcePrefix() throws Exception {
        server.enqueue(answer(200, text("models.json")));

        List<JsonNode> models = gemini().models();

        RecordedRequest sent = server.takeRequest();
        assertEquals("GET", sent.getMethod());
        assertEquals("/v1beta/models", sent.getUrl().encodedPath());
        assertFalse(String.valueOf(sent.getUrl().query()).contains(KEY));
        assertEquals(KEY, sent.getHeaders().get("x-goog-api-key"));
        assertEquals(List.of("gemini-2.5-flash", "gemini-embedding-001"),
                models.stream().map(m -> m.path("id").asText()).toList());
        assertEquals("model", models.getFirst().path("object").asText());
        assertEquals("google", models.getFirst().path("owned_by").asText());
    }

    @ParameterizedTest
    @CsvSource({"error-400.json, 400, 400, false, INVALID_ARGUMENT",
            "error-400-api-key.json, 400, 401, false, INVALID_ARGUMENT",
            "error-403.json, 403, 403, false, PERMISSION_DENIED",
            "error-429.json, 429, 429, true, RESOURCE_EXHAUSTED",
            "error-500.json, 500, 502, true, INTERNAL"})
    void errorBodiesBecomeUpstreamFailures(String fixture, int upstream, int status, boolean retryable,
                                           String code) {
        server.enqueue(answer(upstream, text(fixture)));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> gemini().call(exchange(Operation.CHAT, CHAT), "gemini-2.5-flash"));

        assertEquals(status, failure.status());
        assertEquals(retryable, failure.retryable());
        assertEquals(code, failure.code().orElseThrow());
        String message = json(text(fixture)).path("error").path("message").asText();
        assertTrue(failure.getMessage().contains(message), failure.getMessage());
    }

    @Test
    void keysEchoedInAnErrorAreScrubbed() {
        server.enqueue(answer(400, "{\"error\":{\"code\":400,\"message\":\"bad key " + KEY
                + " and AIzaSyOtherKey0123456789abcdefghijklmn\",\"status\":\"INVALID_ARGUMENT\"}}"));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> gemini().call(exchange(Operation.CHAT, CHAT), "gemini-2.5-flash"));

        assertFalse(failure.getMessage().contains("AIza"), failure.getMessage());
        assertTrue(failure.getMessage().contains("[redacted]"), failure.getMessage());
    }

    @Test
    void brokenConnectionIsARetryableUpstreamFailure() {
        server.enqueue(new MockResponse.Builder()
                .onRequestStart(new SocketEffect.CloseSocket(true, false, false))
                .build());

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> gemini().call(exchange(Operation.CHAT, CHAT), "gemini-2.5-flash"));

        assertEquals(502, failure.status());
        assertTrue(failure.retryable());
    }

    @Test
    void disabledAdapterIsUnavailableAndSendsNothing() {
        GeminiProvider disabled = gemini(false);

        assertFalse(disabled.available());
        InvalidRequest error = assertThrows(InvalidRequest.class,
                () -> disabled.call(exchange(Operation.CHAT, CHAT), "gemini-2.5-flash"));
        assertEquals("provider_not_configured", error.code().orElseThrow());
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void adapterWithoutAKeyIsUnavailable() {
        GeminiProvider keyless = new GeminiProvider(ProviderSettings.of("gemini"), transport, true);

        assertFalse(keyless.available());
        assertEquals(GeminiProvider.DEFAULT_BASE + "/", keyless.apiBase());
        assertFalse(keyless.toString().contains("AIza"));
    }

    @Test
    void unsupportedOperationIsRejected() {
        InvalidRequest error = assertThrows(InvalidRequest.class,
                () -> gemini().call(exchange(Operation.COMPLETIONS, "{\"prompt\":\"x\"}"), "gemini-2.5-flash"));

        assertEquals("unsupported_operation", error.code().orElseThrow());
    }

    @Test
    void anthropicMessagesAreServedThroughTheChatTranslation() throws Exception {
        server.enqueue(answer(200, text("generate-content.json")));

        Response.Complete complete = (Response.Complete) gemini().call(exchange(Operation.ANTHROPIC_MESSAGES,
                "{\"model\":\"gemini-2.5-flash\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"Say hello\"}]}"), "gemini-2.5-flash");

        assertEquals("/v1beta/models/gemini-2.5-flash:generateContent", server.takeRequest().getUrl().encodedPath());
        assertEquals("message", complete.body().json().path("type").asText());
    }

    @Test
    void chunkEventNamesAreTheDefault() {
        server.enqueue(sse(text("text-stream.sse")));
        Response.Streamed streamed = (Response.Streamed) gemini().call(exchange(Operation.CHAT,
                streamingChat(false)), "gemini-2.5-flash");

        try (ChunkStream chunks = streamed.chunks()) {
            assertTrue(chunks.hasNext());
            Chunk first = chunks.next();
            assertEquals("", first.event());
        }
    }
}
