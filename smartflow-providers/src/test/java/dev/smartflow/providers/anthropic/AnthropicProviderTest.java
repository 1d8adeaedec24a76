package dev.smartflow.providers.anthropic;

import static dev.smartflow.providers.WireFixtures.answer;
import static dev.smartflow.providers.WireFixtures.exchange;
import static dev.smartflow.providers.WireFixtures.json;
import static dev.smartflow.providers.WireFixtures.readAll;
import static dev.smartflow.providers.WireFixtures.sse;
import static dev.smartflow.providers.anthropic.AnthropicFixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
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

/** The adapter against a fake Anthropic speaking the documented wire format: what it sends, what it makes of it. */
@Timeout(20)
final class AnthropicProviderTest {
    private static final String KEY = "sk-ant-api03-abcdefghijklmnop";
    private static final String CHAT = """
            {"model":"claude-sonnet-4-5","messages":[{"role":"system","content":"Be brief."},\
            {"role":"user","content":"Say hello"}],"max_tokens":256,"temperature":0.5}""";
    private static final String WEATHER_TOOLS = """
            "tools":[{"type":"function","function":{"name":"get_weather",\
            "parameters":{"type":"object","properties":{"location":{"type":"string"}}}}}]""";

    @StartStop
    private final MockWebServer server = new MockWebServer();
    private final HttpTransport transport = HttpTransport.create();

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    private AnthropicProvider anthropic() {
        ProviderSettings settings = ProviderSettings.of("anthropic").withApiKey(KEY)
                .withApiBase(server.url("/").toString());
        return new AnthropicProvider(settings, transport, InstantSource.fixed(Instant.ofEpochSecond(1700000000)));
    }

    @Test
    void chatIsSentAsAMessagesRequestWithTheProviderKey() throws Exception {
        server.enqueue(answer(200, text("message.json")));

        anthropic().call(exchange(Operation.CHAT, CHAT, "authorization", "Bearer sk-caller-key-0123456789"),
                "claude-sonnet-4-5");

        RecordedRequest sent = server.takeRequest();
        assertEquals("POST", sent.getMethod());
        assertEquals("/v1/messages", sent.getUrl().encodedPath());
        assertEquals(KEY, sent.getHeaders().get("x-api-key"));
        assertEquals("2023-06-01", sent.getHeaders().get("anthropic-version"));
        assertNull(sent.getHeaders().get("Authorization"), "the caller's credentials stay with Smartflow");
        assertEquals(json("""
                {"model":"claude-sonnet-4-5","max_tokens":256,"messages":[\
                {"role":"user","content":[{"type":"text","text":"Say hello"}]}],"system":"Be brief.",\
                "temperature":0.5}"""), json(sent.getBody().utf8()));
    }

    @Test
    void messageComesBackAsAChatCompletion() {
        server.enqueue(answer(200, text("message.json")));

        Response response = anthropic().call(exchange(Operation.CHAT, CHAT), "claude-sonnet-4-5");

        Response.Complete complete = assertInstanceOf(Response.Complete.class, response);
        JsonNode body = complete.body().json();
        assertEquals("chat.completion", body.path("object").asText());
        assertEquals(1700000000L, body.path("created").asLong());
        assertEquals("Hello from Claude", body.path("choices").path(0).path("message").path("content").asText());
        assertEquals("stop", body.path("choices").path(0).path("finish_reason").asText());
        assertEquals(100, body.path("usage").path("prompt_tokens_details").path("cached_tokens").asInt());
        assertEquals(117, body.path("usage").path("prompt_tokens").asInt());
    }

    @Test
    void toolUseMessageComesBackAsToolCalls() throws Exception {
        server.enqueue(answer(200, text("tool-use-message.json")));

        Response.Complete complete = (Response.Complete) anthropic().call(exchange(Operation.CHAT,
                "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}],"
                        + WEATHER_TOOLS + ",\"tool_choice\":\"auto\"}"), "claude-sonnet-4-5");

        JsonNode sent = json(server.takeRequest().getBody().utf8());
        assertEquals("get_weather", sent.path("tools").path(0).path("name").asText());
        assertEquals("auto", sent.path("tool_choice").path("type").asText());
        JsonNode choice = complete.body().json().path("choices").path(0);
        assertEquals("tool_calls", choice.path("finish_reason").asText());
        JsonNode call = choice.path("message").path("tool_calls").path(0);
        assertEquals("toolu_01A09q90qw90lq917835lq9", call.path("id").asText());
        assertEquals(json("{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"),
                json(call.path("function").path("arguments").asText()));
    }

    @Test
    void textStreamBecomesChatCompletionChunksEndingWithUsageWhenAsked() throws Exception {
        server.enqueue(sse(text("text-stream.sse")));
        String body = CHAT.replace("\"max_tokens\"", "\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"max_tokens\"");

        Response response = anthropic().call(exchange(Operation.CHAT, body), "claude-sonnet-4-5");

        RecordedRequest sent = server.takeRequest();
        assertEquals("text/event-stream", sent.getHeaders().get("Accept"));
        assertTrue(json(sent.getBody().utf8()).path("stream").booleanValue());
        Response.Streamed streamed = assertInstanceOf(Response.Streamed.class, response);
        List<JsonNode> chunks = readAll(streamed.chunks()).stream().map(c -> c.data().json()).toList();
        assertEquals(5, chunks.size(), chunks.toString());
        for (JsonNode chunk : chunks) {
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            assertEquals("msg_01Stream", chunk.path("id").asText());
            assertEquals("claude-sonnet-4-5-20250929", chunk.path("model").asText());
        }
        assertEquals("assistant", delta(chunks.get(0)).path("role").asText());
        assertEquals("Hello!", delta(chunks.get(1)).path("content").asText() + delta(chunks.get(2)).path("content")
                .asText());
        assertEquals("stop", chunks.get(3).path("choices").path(0).path("finish_reason").asText());
        JsonNode usage = chunks.get(4).path("usage");
        assertTrue(chunks.get(4).path("choices").isEmpty());
        assertEquals(35, usage.path("prompt_tokens").asInt());
        assertEquals(15, usage.path("completion_tokens").asInt());
        assertEquals(10, usage.path("prompt_tokens_details").path("cached_tokens").asInt());
    }

    @Test
    void streamWithoutIncludeUsageHasNoUsageChunk() {
        server.enqueue(sse(text("text-stream.sse")));

        Response.Streamed streamed = (Response.Streamed) anthropic().call(exchange(Operation.CHAT,
                CHAT.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\"")), "claude-sonnet-4-5");

        List<Chunk> chunks = readAll(streamed.chunks());
        assertEquals(4, chunks.size());
        assertFalse(chunks.get(3).data().json().has("usage"));
    }

    @Test
    void meteredStreamEndsWithTheUsageChunkForTheCostStageEvenUnasked() {
        server.enqueue(sse(text("text-stream.sse")));
        Exchange metered = exchange(Operation.CHAT, CHAT.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\""))
                .with(CostMeter.KEY, new CostMeter());

        List<Chunk> chunks = readAll(((Response.Streamed) anthropic().call(metered, "claude-sonnet-4-5")).chunks());

        assertEquals(5, chunks.size());
        assertTrue(chunks.get(4).data().json().path("choices").isEmpty());
        assertTrue(chunks.get(4).data().json().path("usage").path("prompt_tokens").asInt() > 0);
    }

    @Test
    void toolUseStreamBecomesToolCallDeltasWhoseArgumentsConcatenateToTheInput() {
        server.enqueue(sse(text("tool-use-stream.sse")));

        Response.Streamed streamed = (Response.Streamed) anthropic().call(exchange(Operation.CHAT,
                "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"Weather?\"}]," + WEATHER_TOOLS + "}"), "claude-sonnet-4-5");

        List<JsonNode> chunks = readAll(streamed.chunks()).stream().map(c -> c.data().json()).toList();
        List<JsonNode> calls = new ArrayList<>();
        StringBuilder content = new StringBuilder();
        for (JsonNode chunk : chunks) {
            delta(chunk).path("tool_calls").forEach(calls::add);
            content.append(delta(chunk).path("content").asText(""));
        }
        assertEquals("Checking.", content.toString());
        JsonNode first = calls.getFirst();
        assertEquals(0, first.path("index").asInt());
        assertEquals("toolu_01T1x1fJ34qAmk2tNTrN7Up6", first.path("id").asText());
        assertEquals("function", first.path("type").asText());
        assertEquals("get_weather", first.path("function").path("name").asText());
        assertEquals("", first.path("function").path("arguments").asText());
        StringBuilder arguments = new StringBuilder();
        for (JsonNode call : calls) {
            assertEquals(0, call.path("index").asInt());
            arguments.append(call.path("function").path("arguments").asText());
        }
        assertEquals(5, calls.size(), "the start and four input_json_delta fragments");
        assertEquals(json("{\"location\":\"San Francisco, CA\",\"unit\":\"fahrenheit\"}"), json(arguments.toString()));
        assertEquals("tool_calls", chunks.getLast().path("choices").path(0).path("finish_reason").asText());
    }

    @Test
    void thinkingDeltasBecomeReasoningContentAndSignaturesAreDropped() {
        String transcript = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_01Think","type":"message","role":"assistant",\
                "model":"claude-sonnet-4-5","content":[],"stop_reason":null,\
                "usage":{"input_tokens":5,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Hmm."}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQB"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: content_block_start
                data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Yes."}}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":9}}

                event: message_stop
                data: {"type":"message_stop"}

                """;
        server.enqueue(sse(transcript));

        Response.Streamed streamed = (Response.Streamed) anthropic().call(exchange(Operation.CHAT,
                CHAT.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\"")), "claude-sonnet-4-5");

        List<JsonNode> chunks = readAll(streamed.chunks()).stream().map(c -> c.data().json()).toList();
        assertEquals(4, chunks.size(), chunks.toString());
        assertEquals("Hmm.", delta(chunks.get(1)).path("reasoning_content").asText());
        assertEquals("Yes.", delta(chunks.get(2)).path("content").asText());
        assertEquals("length", chunks.get(3).path("choices").path(0).path("finish_reason").asText());
    }

    @Test
    void errorEventMidStreamIsThrownAsARetryableUpstreamFailure() {
        server.enqueue(sse(text("error-mid-stream.sse")));
        Response.Streamed streamed = (Response.Streamed) anthropic().call(exchange(Operation.CHAT,
                CHAT.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\"")), "claude-sonnet-4-5");
        ChunkStream chunks = streamed.chunks();

        assertTrue(chunks.hasNext());
        chunks.next();
        assertTrue(chunks.hasNext());
        assertEquals("Hel", delta(chunks.next().data().json()).path("content").asText());
        UpstreamFailure failure = assertThrows(UpstreamFailure.class, chunks::hasNext);

        assertEquals(502, failure.status());
        assertTrue(failure.retryable());
        assertTrue(failure.getMessage().contains("Overloaded"), failure.getMessage());
        chunks.close();
    }

    @Test
    void nativeStreamEventThatIsNotJsonIsABrokenStream() {
        String transcript = text("text-stream.sse");
        int cut = transcript.indexOf("event: message_delta");
        server.enqueue(sse(transcript.substring(0, cut) + "event: content_block_delta\ndata: not-json\n\n"
                + transcript.substring(cut)));
        Response.Streamed streamed = (Response.Streamed) anthropic().call(exchange(Operation.ANTHROPIC_MESSAGES,
                "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"max_tokens\":64,\"messages\":[]}"),
                "claude-sonnet-4-5");

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> readAll(streamed.chunks()));

        assertEquals(502, failure.status());
        assertTrue(failure.getMessage().contains("not a JSON object"), failure.getMessage());
    }

    @Test
    void streamCutBeforeMessageStopIsABrokenStream() {
        String transcript = text("text-stream.sse");
        server.enqueue(sse(transcript.substring(0, transcript.indexOf("event: message_delta"))));
        Response.Streamed streamed = (Response.Streamed) anthropic().call(exchange(Operation.CHAT,
                CHAT.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\"")), "claude-sonnet-4-5");

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
        Response.Streamed streamed = (Response.Streamed) anthropic().call(exchange(Operation.ANTHROPIC_MESSAGES,
                "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"max_tokens\":64,\"messages\":[]}"),
                "claude-sonnet-4-5");

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> readAll(streamed.chunks()));

        assertEquals(502, failure.status());
        assertTrue(failure.retryable());
    }

    @ParameterizedTest
    @CsvSource({"400, 400, invalid_request_error, false", "401, 401, authentication_error, false",
            "429, 429, rate_limit_error, true", "529, 502, overloaded_error, true"})
    void errorBodiesBecomeUpstreamFailures(int upstream, int status, String type, boolean retryable) {
        server.enqueue(answer(upstream, text("error-" + upstream + ".json")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> anthropic().call(exchange(Operation.CHAT, CHAT), "claude-sonnet-4-5"));

        assertEquals(status, failure.status());
        assertEquals(type, failure.type());
        assertEquals(retryable, failure.retryable());
        assertEquals(upstream, failure.upstreamStatus().orElseThrow());
        assertFalse(failure.getMessage().contains("abcdefghijklmnop"), failure.getMessage());
    }

    @Test
    void brokenConnectionIsARetryableUpstreamFailure() {
        server.enqueue(new MockResponse.Builder()
                .onRequestStart(new SocketEffect.CloseSocket(true, false, false))
                .build());

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> anthropic().call(exchange(Operation.CHAT, CHAT), "claude-sonnet-4-5"));

        assertEquals(502, failure.status());
        assertTrue(failure.retryable());
    }

    @Test
    void nativeMessagesAreForwardedUntouchedWithTheCallersVersionAndBetas() throws Exception {
        String answer = text("message.json");
        server.enqueue(answer(200, answer));
        String body = """
                {"model":"claude-sonnet-4-5",  "max_tokens":64,"messages":[{"role":"user","content":"Hi"}],\
                "thinking":{"type":"enabled","budget_tokens":1024},"x_unknown":[1,2.50]}""";

        Response response = anthropic().call(exchange(Operation.ANTHROPIC_MESSAGES, body,
                "x-api-key", "sk-sf-caller-0123456789", "anthropic-version", "2023-06-01",
                "anthropic-beta", "context-1m-2025-08-07,fine-grained-tool-streaming-2025-05-14"),
                "claude-sonnet-4-5");

        RecordedRequest sent = server.takeRequest();
        assertEquals("/v1/messages", sent.getUrl().encodedPath());
        assertEquals(KEY, sent.getHeaders().get("x-api-key"));
        assertEquals("2023-06-01", sent.getHeaders().get("anthropic-version"));
        assertEquals("context-1m-2025-08-07,fine-grained-tool-streaming-2025-05-14",
                sent.getHeaders().get("anthropic-beta"));
        assertEquals(body, sent.getBody().utf8());
        assertEquals(answer, ((Response.Complete) response).body().utf8());
    }

    @Test
    void countTokensIsForwardedToItsEndpointWithTheCallersVersionAndBetasAndAnsweredUntouched() throws Exception {
        server.enqueue(answer(200, "{\"input_tokens\":2095}"));
        String body = """
                {"model":"claude-sonnet-4-5[1m]","system":"Be brief.","messages":[{"role":"user","content":"Hi"}],\
                "tools":[{"name":"get_weather","input_schema":{"type":"object"}}]}""";

        Response response = anthropic().call(exchange(Operation.ANTHROPIC_COUNT_TOKENS, body,
                "x-api-key", "sk-sf-caller-0123456789", "anthropic-version", "2023-06-01",
                "anthropic-beta", "token-counting-2024-11-01"), "claude-sonnet-4-5[1m]");

        RecordedRequest sent = server.takeRequest();
        assertEquals("POST", sent.getMethod());
        assertEquals("/v1/messages/count_tokens", sent.getUrl().encodedPath());
        assertEquals(KEY, sent.getHeaders().get("x-api-key"), "the server's key, not the caller's");
        assertEquals("2023-06-01", sent.getHeaders().get("anthropic-version"));
        assertEquals("token-counting-2024-11-01", sent.getHeaders().get("anthropic-beta"));
        assertEquals(json(body.replace("[1m]", "")), json(sent.getBody().utf8()));
        Response.Complete complete = assertInstanceOf(Response.Complete.class, response);
        assertEquals("{\"input_tokens\":2095}", complete.body().utf8());
    }

    @Test
    void countTokensErrorsAreUpstreamFailuresLikeAnyOther() {
        server.enqueue(answer(400, text("error-400.json")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> anthropic().call(exchange(
                Operation.ANTHROPIC_COUNT_TOKENS, "{\"model\":\"claude-sonnet-4-5\",\"messages\":[]}"),
                "claude-sonnet-4-5"));

        assertEquals(400, failure.status());
        assertEquals("invalid_request_error", failure.type());
    }

    @Test
    void nativeModelLosesItsContextWindowSuffix() throws Exception {
        server.enqueue(answer(200, text("message.json")));

        anthropic().call(exchange(Operation.ANTHROPIC_MESSAGES,
                "{\"model\":\"claude-sonnet-4-5[1m]\",\"max_tokens\":64,\"messages\":[]}"), "claude-sonnet-4-5[1m]");

        assertEquals("claude-sonnet-4-5", json(server.takeRequest().getBody().utf8()).path("model").asText());
    }

    @Test
    void nativeStreamIsPassedThroughEventByEvent() throws Exception {
        String transcript = text("tool-use-stream.sse");
        server.enqueue(sse(transcript));

        Response.Streamed streamed = (Response.Streamed) anthropic().call(exchange(Operation.ANTHROPIC_MESSAGES,
                "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"max_tokens\":64,\"messages\":[]}"),
                "claude-sonnet-4-5");

        assertEquals("text/event-stream", server.takeRequest().getHeaders().get("Accept"));
        List<Chunk> chunks = readAll(streamed.chunks());
        List<String[]> expected = AnthropicFixtures.eventsOf(transcript);
        assertEquals(expected.size(), chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            assertEquals(expected.get(i)[0], chunks.get(i).event());
            assertEquals(expected.get(i)[1], chunks.get(i).data().utf8());
        }
    }

    @Test
    void nativeStreamErrorEventIsThrown() {
        server.enqueue(sse(text("error-mid-stream.sse")));
        Response.Streamed streamed = (Response.Streamed) anthropic().call(exchange(Operation.ANTHROPIC_MESSAGES,
                "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"max_tokens\":64,\"messages\":[]}"),
                "claude-sonnet-4-5");

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> readAll(streamed.chunks()));

        assertEquals("overloaded_error", failure.type());
        assertTrue(failure.retryable());
    }

    @Test
    void modelsAreListedAsOpenAiModelObjects() throws Exception {
        server.enqueue(answer(200, """
                {"data":[{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5",\
                "created_at":"2025-09-29T00:00:00Z"}],"has_more":false,"first_id":"a","last_id":"a"}"""));

        List<JsonNode> models = anthropic().models();

        assertEquals("/v1/models", server.takeRequest().getUrl().encodedPath());
        assertEquals(1, models.size());
        assertEquals("claude-sonnet-4-5-20250929", models.getFirst().path("id").asText());
        assertEquals("model", models.getFirst().path("object").asText());
        assertEquals("anthropic", models.getFirst().path("owned_by").asText());
        assertEquals(Instant.parse("2025-09-29T00:00:00Z").getEpochSecond(), models.getFirst().path("created")
                .asLong());
    }

    @Test
    void withoutAKeyItIsUnavailable() {
        AnthropicProvider provider = new AnthropicProvider(ProviderSettings.of("anthropic"), transport);

        assertFalse(provider.available());
        assertEquals("https://api.anthropic.com/", provider.apiBase());
    }

    private static JsonNode delta(JsonNode chunk) {
        return chunk.path("choices").path(0).path("delta");
    }
}
