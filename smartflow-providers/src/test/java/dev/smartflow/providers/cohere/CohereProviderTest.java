package dev.smartflow.providers.cohere;

import static dev.smartflow.providers.WireFixtures.answer;
import static dev.smartflow.providers.WireFixtures.exchange;
import static dev.smartflow.providers.WireFixtures.json;
import static dev.smartflow.providers.WireFixtures.sse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.WireFixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
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

/** The adapter against a fake Cohere speaking the v2 wire format: what it sends, what it makes of it. */
@Timeout(20)
final class CohereProviderTest {
    private static final String KEY = "co-test-Zk3m9QpL2xR7vT1w";
    private static final String CHAT = """
            {"model":"command-a-03-2025","messages":[{"role":"system","content":"Be brief."},\
            {"role":"user","content":"Say hello"}],"max_tokens":256,"temperature":0.5,"top_p":0.9,"stop":"END",\
            "seed":7,"user":"u-1"}""";
    private static final String WEATHER_TOOLS = """
            "tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather",\
            "parameters":{"type":"object","properties":{"location":{"type":"string"}}}}},\
            {"type":"function","function":{"name":"get_time","parameters":{"type":"object"}}}]""";

    @StartStop
    private final MockWebServer server = new MockWebServer();
    private final HttpTransport transport = HttpTransport.create();

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    private CohereProvider cohere() {
        ProviderSettings settings = ProviderSettings.of("cohere").withApiKey(KEY)
                .withApiBase(server.url("/").toString());
        return new CohereProvider(settings, transport, InstantSource.fixed(Instant.ofEpochSecond(1700000000)));
    }

    private static String text(String name) {
        return WireFixtures.text("cohere", name);
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

    private JsonNode sentBody() throws InterruptedException {
        return json(server.takeRequest().getBody().utf8());
    }

    // chat

    @Test
    void chatIsSentToV2ChatWithTheProviderKeyAndCohereFieldNames() throws Exception {
        server.enqueue(answer(200, text("chat.json")));

        cohere().call(exchange(Operation.CHAT, CHAT, "authorization", "Bearer sk-caller-key-0123456789"),
                "command-a-03-2025");

        RecordedRequest sent = server.takeRequest();
        assertEquals("POST", sent.getMethod());
        assertEquals("/v2/chat", sent.getUrl().encodedPath());
        assertEquals("Bearer " + KEY, sent.getHeaders().get("Authorization"), "the provider key, not the caller's");
        assertEquals("application/json", sent.getHeaders().get("Accept"));
        assertEquals(json("""
                {"model":"command-a-03-2025","messages":[{"role":"system","content":"Be brief."},\
                {"role":"user","content":"Say hello"}],\
                "temperature":0.5,"p":0.9,"seed":7,"max_tokens":256,"stop_sequences":["END"]}"""),
                json(sent.getBody().utf8()), "renamed fields, OpenAI-only fields (user) dropped, no stream field");
    }

    @Test
    void chatAnswerComesBackAsAChatCompletionWithBilledUsage() {
        server.enqueue(answer(200, text("chat.json")));

        Response response = cohere().call(exchange(Operation.CHAT, CHAT), "command-a-03-2025");

        JsonNode body = assertInstanceOf(Response.Complete.class, response).body().json();
        assertEquals("chat.completion", body.path("object").asText());
        assertEquals("c14c80c3-18eb-4519-9460-6c92edd8cfb4", body.path("id").asText());
        assertEquals(1700000000L, body.path("created").asLong());
        assertEquals("command-a-03-2025", body.path("model").asText());
        JsonNode choice = body.path("choices").path(0);
        assertEquals("assistant", choice.path("message").path("role").asText());
        assertEquals("Hello from Cohere", choice.path("message").path("content").asText());
        assertEquals("stop", choice.path("finish_reason").asText());
        JsonNode usage = body.path("usage");
        assertEquals(5, usage.path("prompt_tokens").asInt(), "billed input tokens, not the 71 processed");
        assertEquals(4, usage.path("completion_tokens").asInt());
        assertEquals(9, usage.path("total_tokens").asInt());
        assertEquals(0, usage.path("prompt_tokens_details").path("cached_tokens").asInt());
    }

    @Test
    void toolsGoInOpenAisShapeAndAToolChoiceNamingOneBecomesRequiredWithOnlyThatTool() throws Exception {
        server.enqueue(answer(200, text("tool-call.json")));

        cohere().call(exchange(Operation.CHAT, "{\"model\":\"command-a-03-2025\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Weather in Toronto?\"}]," + WEATHER_TOOLS + ",\"tool_choice\":{\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\"}},\"parallel_tool_calls\":false}"), "command-a-03-2025");

        JsonNode sent = sentBody();
        assertEquals(json("""
                [{"type":"function","function":{"name":"get_weather","description":"Current weather",\
                "parameters":{"type":"object","properties":{"location":{"type":"string"}}}}}]"""),
                sent.path("tools"));
        assertEquals("REQUIRED", sent.path("tool_choice").asText());
        assertFalse(sent.has("parallel_tool_calls"));
    }

    @Test
    void toolCallAnswerComesBackAsToolCallsWithThePlanAsReasoning() {
        server.enqueue(answer(200, text("tool-call.json")));

        Response.Complete complete = (Response.Complete) cohere().call(exchange(Operation.CHAT,
                "{\"model\":\"command-a-03-2025\",\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}],"
                        + WEATHER_TOOLS + "}"), "command-a-03-2025");

        JsonNode choice = complete.body().json().path("choices").path(0);
        assertEquals("tool_calls", choice.path("finish_reason").asText());
        assertTrue(choice.path("message").path("content").isNull());
        assertEquals("I will look up the weather in Toronto.", choice.path("message").path("reasoning_content")
                .asText());
        JsonNode call = choice.path("message").path("tool_calls").path(0);
        assertEquals("get_weather_1byjy32y4hvq", call.path("id").asText());
        assertEquals("function", call.path("type").asText());
        assertEquals("get_weather", call.path("function").path("name").asText());
        assertEquals(json("{\"location\":\"Toronto\"}"), json(call.path("function").path("arguments").asText()));
        assertEquals(37, complete.body().json().path("usage").path("prompt_tokens").asInt());
    }

    @Test
    void aConversationWithToolCallsAndResultsIsSentAsCohereTurns() throws Exception {
        server.enqueue(answer(200, text("chat.json")));

        cohere().call(exchange(Operation.CHAT, """
                {"model":"command-a-03-2025","messages":[{"role":"user","content":"Weather in Toronto?"},\
                {"role":"assistant","content":"Let me check.","tool_calls":[{"id":"call_1","type":"function",\
                "function":{"name":"get_weather","arguments":"{\\"location\\": \\"Toronto\\"}"}}]},\
                {"role":"tool","tool_call_id":"call_1","content":"{\\"temperature\\":21}"},\
                {"role":"assistant","content":"It is 21 degrees."}]}"""), "command-a-03-2025");

        assertEquals(json("""
                [{"role":"user","content":"Weather in Toronto?"},\
                {"role":"assistant","tool_plan":"Let me check.","tool_calls":[{"id":"call_1","type":"function",\
                "function":{"name":"get_weather","arguments":"{\\"location\\":\\"Toronto\\"}"}}]},\
                {"role":"tool","tool_call_id":"call_1","content":"{\\"temperature\\":21}"},\
                {"role":"assistant","content":"It is 21 degrees."}]"""), sentBody().path("messages"));
    }

    @Test
    void anAnswerThatCohereEndedInErrorIsARetryableFailure() {
        server.enqueue(answer(200, text("chat.json").replace("COMPLETE", "ERROR")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> cohere().call(exchange(Operation.CHAT, CHAT), "command-a-03-2025"));

        assertEquals(502, failure.status());
        assertTrue(failure.retryable());
        assertTrue(failure.getMessage().contains("ERROR"), failure.getMessage());
    }

    // streams

    @Test
    void textStreamBecomesChunksEndingWithUsageWhenAsked() throws Exception {
        server.enqueue(sse(text("text-stream.sse")));

        Response response = cohere().call(exchange(Operation.CHAT, streamingChat(true)), "command-a-03-2025");

        RecordedRequest sent = server.takeRequest();
        assertEquals("/v2/chat", sent.getUrl().encodedPath());
        assertEquals("text/event-stream", sent.getHeaders().get("Accept"));
        JsonNode body = json(sent.getBody().utf8());
        assertTrue(body.path("stream").asBoolean());
        assertFalse(body.has("stream_options"), "Cohere knows no stream_options");
        List<JsonNode> chunks = readAll(assertInstanceOf(Response.Streamed.class, response).chunks());
        assertEquals(5, chunks.size(), chunks.toString());
        for (JsonNode chunk : chunks) {
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            assertEquals("29f14a5a-11de-4cae-9800-25e4747408ea", chunk.path("id").asText());
            assertEquals("command-a-03-2025", chunk.path("model").asText());
            assertEquals(1700000000L, chunk.path("created").asLong());
        }
        assertEquals("assistant", delta(chunks.get(0)).path("role").asText());
        assertEquals("Hello", delta(chunks.get(1)).path("content").asText());
        assertEquals(" there!", delta(chunks.get(2)).path("content").asText());
        assertEquals("stop", chunks.get(3).path("choices").path(0).path("finish_reason").asText());
        assertTrue(chunks.get(4).path("choices").isEmpty());
        assertEquals(json("{\"prompt_tokens\":3,\"completion_tokens\":3,\"total_tokens\":6,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":0}}"), json(chunks.get(4).path("usage").toString()));
    }

    @Test
    void streamWithoutIncludeUsageHasNoUsageChunkUnlessTheCallIsMetered() {
        server.enqueue(sse(text("text-stream.sse")));
        server.enqueue(sse(text("text-stream.sse")));

        List<JsonNode> plain = readAll(((Response.Streamed) cohere().call(exchange(Operation.CHAT,
                streamingChat(false)), "command-a-03-2025")).chunks());
        Exchange metered = exchange(Operation.CHAT, streamingChat(false)).with(CostMeter.KEY, new CostMeter());
        List<JsonNode> forTheMeter = readAll(((Response.Streamed) cohere().call(metered, "command-a-03-2025"))
                .chunks());

        assertEquals(4, plain.size());
        assertFalse(plain.getLast().has("usage"));
        assertEquals(5, forTheMeter.size(), "the cost stage reads the usage chunk, then keeps it from the caller");
        assertEquals(6, forTheMeter.getLast().path("usage").path("total_tokens").asInt());
    }

    @Test
    void toolCallStreamAssemblesEachCallsArgumentsUnderItsIndex() {
        server.enqueue(sse(text("tool-call-stream.sse")));

        Response.Streamed streamed = (Response.Streamed) cohere().call(exchange(Operation.CHAT,
                "{\"model\":\"command-a-03-2025\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"Weather in Madrid and Brasilia?\"}]," + WEATHER_TOOLS + "}"),
                "command-a-03-2025");
        List<JsonNode> chunks = readAll(streamed.chunks());

        StringBuilder plan = new StringBuilder();
        List<String> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<StringBuilder> arguments = new ArrayList<>();
        for (JsonNode chunk : chunks) {
            plan.append(delta(chunk).path("reasoning_content").asText(""));
            for (JsonNode call : delta(chunk).path("tool_calls")) {
                int index = call.path("index").asInt();
                if (call.has("id")) {
                    assertEquals(ids.size(), index, "a new call takes the next index");
                    ids.add(call.path("id").asText());
                    names.add(call.path("function").path("name").asText());
                    arguments.add(new StringBuilder());
                }
                arguments.get(index).append(call.path("function").path("arguments").asText(""));
            }
        }
        assertEquals("I will search the weather.", plan.toString());
        assertEquals(List.of("get_weather_p1t92w7gfgq7", "get_weather_ay6nmvjgp9vn"), ids);
        assertEquals(List.of("get_weather", "get_weather"), names);
        assertEquals(json("{\"location\":\"Madrid\"}"), json(arguments.get(0).toString()));
        assertEquals(json("{\"location\":\"Brasilia\"}"), json(arguments.get(1).toString()));
        assertEquals("tool_calls", chunks.getLast().path("choices").path(0).path("finish_reason").asText());
    }

    @Test
    void streamThatCohereEndsInErrorIsARetryableFailureAfterWhatCameBefore() {
        server.enqueue(sse(text("error-mid-stream.sse")));
        Response.Streamed streamed = (Response.Streamed) cohere().call(exchange(Operation.CHAT,
                streamingChat(false)), "command-a-03-2025");
        ChunkStream chunks = streamed.chunks();

        assertTrue(chunks.hasNext());
        chunks.next();
        assertEquals("Partial", delta(chunks.next().data().json()).path("content").asText());
        UpstreamFailure failure = assertThrows(UpstreamFailure.class, chunks::hasNext);

        assertEquals(502, failure.status());
        assertTrue(failure.retryable());
        assertTrue(failure.getMessage().contains("internal server error"), failure.getMessage());
        chunks.close();
    }

    @Test
    void streamCutBeforeMessageEndIsABrokenStream() {
        String transcript = text("text-stream.sse");
        server.enqueue(sse(transcript.substring(0, transcript.indexOf("event: message-end"))));
        Response.Streamed streamed = (Response.Streamed) cohere().call(exchange(Operation.CHAT,
                streamingChat(false)), "command-a-03-2025");

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
        Response.Streamed streamed = (Response.Streamed) cohere().call(exchange(Operation.CHAT,
                streamingChat(false)), "command-a-03-2025");

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> readAll(streamed.chunks()));

        assertEquals(502, failure.status());
        assertTrue(failure.retryable());
    }

    // embeddings and rerank

    @Test
    void embeddingsGoToV2EmbedAsFloatTextsAndComeBackInOpenAisShape() throws Exception {
        server.enqueue(answer(200, text("embed.json")));

        Response.Complete complete = (Response.Complete) cohere().call(exchange(Operation.EMBEDDINGS,
                "{\"model\":\"cohere/embed-v4.0\",\"input\":[\"first\",\"second\"],\"dimensions\":256}"),
                "embed-v4.0");

        RecordedRequest sent = server.takeRequest();
        assertEquals("/v2/embed", sent.getUrl().encodedPath());
        assertEquals("Bearer " + KEY, sent.getHeaders().get("Authorization"));
        assertEquals(json("""
                {"model":"embed-v4.0","texts":["first","second"],"input_type":"search_document",\
                "embedding_types":["float"],"output_dimension":256}"""), json(sent.getBody().utf8()));
        JsonNode body = complete.body().json();
        assertEquals("list", body.path("object").asText());
        assertEquals("embed-v4.0", body.path("model").asText());
        assertEquals(2, body.path("data").size());
        assertEquals("embedding", body.path("data").path(1).path("object").asText());
        assertEquals(1, body.path("data").path(1).path("index").asInt());
        assertEquals(-0.5, body.path("data").path(1).path("embedding").path(0).asDouble());
        assertEquals(2, body.path("usage").path("prompt_tokens").asInt());
        assertEquals(2, body.path("usage").path("total_tokens").asInt());
    }

    @Test
    void theRequestsInputTypeIsPassedOnAndBase64IsLittleEndianFloats() throws Exception {
        server.enqueue(answer(200, "{\"id\":\"e1\",\"embeddings\":{\"float\":[[1.0,-2.0]]},"
                + "\"meta\":{\"billed_units\":{\"input_tokens\":1}}}"));

        Response.Complete complete = (Response.Complete) cohere().call(exchange(Operation.EMBEDDINGS,
                "{\"model\":\"embed-english-v3.0\",\"input\":\"only\",\"input_type\":\"search_query\","
                        + "\"encoding_format\":\"base64\"}"), "embed-english-v3.0");

        JsonNode sent = sentBody();
        assertEquals("search_query", sent.path("input_type").asText());
        assertEquals(json("[\"only\"]"), sent.path("texts"));
        assertFalse(sent.has("encoding_format"));
        String encoded = complete.body().json().path("data").path(0).path("embedding").asText();
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1.0f, bytes.getFloat());
        assertEquals(-2.0f, bytes.getFloat());
        assertFalse(bytes.hasRemaining());
    }

    @Test
    void tokenArraysAreRefusedBeforeAnythingIsSent() {
        InvalidRequest error = assertThrows(InvalidRequest.class, () -> cohere().call(exchange(Operation.EMBEDDINGS,
                "{\"model\":\"embed-v4.0\",\"input\":[[1,2,3]]}"), "embed-v4.0"));

        assertEquals("input", error.param().orElseThrow());
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void rerankIsForwardedWithTheRoutedModelAndAnsweredInCoheresShape() throws Exception {
        String body = """
                {"model":"cohere/rerank-v3.5","query":"capital of the US","documents":["Carson City is in Nevada.",\
                "Saipan is in the Pacific.","Washington, D.C. is the capital."],"top_n":2}""";
        server.enqueue(answer(200, text("rerank.json")));

        Response.Complete complete = (Response.Complete) cohere().call(exchange(Operation.RERANK, body),
                "rerank-v3.5");

        RecordedRequest sent = server.takeRequest();
        assertEquals("/v2/rerank", sent.getUrl().encodedPath());
        assertEquals(json(body.replace("cohere/rerank-v3.5", "rerank-v3.5")), json(sent.getBody().utf8()));
        assertEquals(json(text("rerank.json")), complete.body().json(), "Cohere's answer, untouched");
    }

    @Test
    void rerankWithReturnDocumentsGetsTheDocumentsBackAsV1GaveThem() throws Exception {
        server.enqueue(answer(200, text("rerank.json")));

        Response.Complete complete = (Response.Complete) cohere().call(exchange(Operation.RERANK, """
                {"model":"rerank-v3.5","query":"capital","documents":["Carson City","Saipan","Washington, D.C."],\
                "return_documents":true}"""), "rerank-v3.5");

        assertFalse(sentBody().has("return_documents"), "v2 does not take it");
        JsonNode results = complete.body().json().path("results");
        assertEquals(2, results.path(0).path("index").asInt());
        assertEquals(json("{\"text\":\"Washington, D.C.\"}"), results.path(0).path("document"));
        assertEquals(json("{\"text\":\"Carson City\"}"), results.path(1).path("document"));
        assertEquals(1, complete.body().json().path("meta").path("billed_units").path("search_units").asInt());
    }

    // models, errors, configuration

    @Test
    void modelsAreListedFromV1Models() throws Exception {
        server.enqueue(answer(200, text("models.json")));

        List<JsonNode> models = cohere().models();

        RecordedRequest sent = server.takeRequest();
        assertEquals("GET", sent.getMethod());
        assertEquals("/v1/models", sent.getUrl().encodedPath());
        assertEquals("1000", sent.getUrl().queryParameter("page_size"));
        assertEquals("Bearer " + KEY, sent.getHeaders().get("Authorization"));
        assertEquals(List.of("command-a-03-2025", "embed-v4.0"), models.stream().map(m -> m.path("id").asText())
                .toList());
        assertEquals("model", models.getFirst().path("object").asText());
        assertEquals("cohere", models.getFirst().path("owned_by").asText());
    }

    @ParameterizedTest
    @CsvSource({"error-400.json, 400, 400, false",
            "error-401.json, 401, 401, false",
            "error-429.json, 429, 429, true",
            "error-498.json, 498, 400, false",
            "error-500.json, 500, 502, true",
            "error-500.json, 503, 502, true"})
    void errorBodiesBecomeUpstreamFailuresCarryingCoheresMessage(String fixture, int upstream, int status,
                                                                 boolean retryable) {
        server.enqueue(answer(upstream, text(fixture)));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> cohere().call(exchange(Operation.CHAT, CHAT), "command-a-03-2025"));

        assertEquals(status, failure.status());
        assertEquals(retryable, failure.retryable());
        String message = json(text(fixture)).path("message").asText();
        assertTrue(failure.getMessage().contains(message), failure.getMessage());
    }

    @Test
    void aBlockedPromptIsAContentBlockedBadRequest() {
        server.enqueue(answer(498, text("error-498.json")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> cohere().call(exchange(Operation.CHAT, CHAT), "command-a-03-2025"));

        assertEquals(400, failure.status());
        assertEquals("content_blocked", failure.code().orElseThrow());
        assertFalse(failure.retryable(), "the same prompt would be blocked again");
    }

    @Test
    void keysEchoedInAnErrorAreScrubbed() {
        server.enqueue(answer(401, "{\"message\":\"invalid api token " + KEY + "\"}"));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> cohere().call(exchange(Operation.CHAT, CHAT), "command-a-03-2025"));

        assertFalse(failure.getMessage().contains(KEY), failure.getMessage());
        assertTrue(failure.getMessage().contains("[redacted]"), failure.getMessage());
    }

    @Test
    void brokenConnectionIsARetryableUpstreamFailure() {
        server.enqueue(new MockResponse.Builder()
                .onRequestStart(new SocketEffect.CloseSocket(true, false, false))
                .build());

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> cohere().call(exchange(Operation.CHAT, CHAT), "command-a-03-2025"));

        assertEquals(502, failure.status());
        assertTrue(failure.retryable());
    }

    @Test
    void adapterWithoutAKeyIsUnavailableAndSendsNothing() {
        CohereProvider keyless = new CohereProvider(ProviderSettings.of("cohere"), transport);

        assertFalse(keyless.available());
        assertEquals(CohereProvider.DEFAULT_BASE + "/", keyless.apiBase());
        InvalidRequest error = assertThrows(InvalidRequest.class,
                () -> keyless.call(exchange(Operation.CHAT, CHAT), "command-a-03-2025"));
        assertEquals("provider_not_configured", error.code().orElseThrow());
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void countTokensIsRefusedSayingOnlyAnthropicCounts() {
        InvalidRequest error = assertThrows(InvalidRequest.class, () -> cohere().call(exchange(
                Operation.ANTHROPIC_COUNT_TOKENS, "{\"model\":\"command-a-03-2025\",\"messages\":[]}"),
                "command-a-03-2025"));

        assertEquals("unsupported_operation", error.code().orElseThrow());
        assertTrue(error.getMessage().contains("cannot count tokens"), error.getMessage());
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void anthropicMessagesAreServedThroughTheChatTranslation() throws Exception {
        server.enqueue(answer(200, text("chat.json")));

        Response.Complete complete = (Response.Complete) cohere().call(exchange(Operation.ANTHROPIC_MESSAGES,
                "{\"model\":\"command-a-03-2025\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"Say hello\"}]}"), "command-a-03-2025");

        assertEquals("/v2/chat", server.takeRequest().getUrl().encodedPath());
        JsonNode message = complete.body().json();
        assertEquals("message", message.path("type").asText());
        assertEquals("Hello from Cohere", message.path("content").path(0).path("text").asText());
        assertEquals(5, message.path("usage").path("input_tokens").asInt());
    }
}
