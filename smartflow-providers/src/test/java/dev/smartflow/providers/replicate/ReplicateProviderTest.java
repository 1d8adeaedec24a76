package dev.smartflow.providers.replicate;

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
import dev.smartflow.core.Ticker;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.error.ClientClosed;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.WireFixtures;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Replicate adapter against a fake Replicate: predictions waited for, polled and streamed. */
@Timeout(20)
final class ReplicateProviderTest {
    private static final String KEY = "r8_Zx9kWqLmN0pQrStUvWxYz0123456789ab";
    private static final String MODEL = "meta/meta-llama-3-8b-instruct";
    private static final String CHAT = """
            {"model":"replicate/meta/meta-llama-3-8b-instruct","messages":[{"role":"system","content":"Be brief."},\
            {"role":"user","content":"Say hello"}],"max_tokens":256,"temperature":0.6}""";
    private static final String STREAM_CHAT = CHAT.replace("\"max_tokens\"", "\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"max_tokens\"");
    private static final String PREDICTION = "/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu";

    @StartStop
    private final MockWebServer server = new MockWebServer();
    private final HttpTransport transport = HttpTransport.create();
    /** Fake time: each pause between polls moves it on by the pause, and nothing really waits. */
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicInteger pauses = new AtomicInteger();
    private final Ticker ticker = nanos::get;

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    private ReplicateProvider replicate(Duration timeout) {
        ProviderSettings settings = ProviderSettings.of("replicate").withApiKey(KEY)
                .withApiBase(server.url("/").toString()).withTimeout(timeout);
        return new ReplicateProvider(settings, transport, InstantSource.fixed(Instant.ofEpochSecond(1700000000)),
                ticker, (duration, cancellation) -> {
                    pauses.incrementAndGet();
                    nanos.addAndGet(duration.toNanos());
                });
    }

    private ReplicateProvider replicate() {
        return replicate(Duration.ofSeconds(600));
    }

    private static String text(String name) {
        return WireFixtures.text("replicate", name);
    }

    private String processing() {
        return text("prediction-processing.json").replace("{{STREAM}}", server.url("/v1/streams/s-3okdfv").toString());
    }

    // whole answers

    @Test
    void aShortAnswerComesBackInTheCreatingCallWithPreferWait() throws Exception {
        server.enqueue(answer(201, text("prediction-succeeded.json")));

        Response response = replicate().call(exchange(Operation.CHAT, CHAT, "authorization", "Bearer sk-caller-0123"),
                MODEL);

        RecordedRequest sent = server.takeRequest();
        assertEquals("POST", sent.getMethod());
        assertEquals("/v1/models/meta/meta-llama-3-8b-instruct/predictions", sent.getTarget());
        assertEquals("wait=60", sent.getHeaders().get("Prefer"));
        assertEquals("Bearer " + KEY, sent.getHeaders().get("Authorization"));
        assertEquals(json("""
                {"input":{"prompt":"Say hello","system_prompt":"Be brief.","max_tokens":256,"temperature":0.6}}"""),
                json(sent.getBody().utf8()));
        JsonNode body = assertInstanceOf(Response.Complete.class, response).body().json();
        assertEquals("chatcmpl-gm3qorzdhgbfurvjtvhg6dckhu", body.path("id").asText());
        assertEquals(MODEL, body.path("model").asText());
        assertEquals("Hello! How can I help?", body.path("choices").path(0).path("message").path("content").asText());
        assertEquals("stop", body.path("choices").path(0).path("finish_reason").asText());
        assertEquals(14, body.path("usage").path("prompt_tokens").asLong());
        assertEquals(7, body.path("usage").path("completion_tokens").asLong());
        assertEquals(1, server.getRequestCount(), "no polling when the wait sufficed");
    }

    @Test
    void aLongAnswerIsPolledAtTheConfiguredBaseUntilItSucceeds() throws Exception {
        server.enqueue(answer(201, processing()));
        server.enqueue(answer(200, processing()));
        server.enqueue(answer(200, text("prediction-succeeded.json")));

        Response response = replicate().call(exchange(Operation.CHAT, CHAT), MODEL);

        server.takeRequest();
        for (int i = 0; i < 2; i++) {
            RecordedRequest poll = server.takeRequest();
            assertEquals("GET", poll.getMethod());
            assertEquals(PREDICTION, poll.getTarget());
            assertEquals("Bearer " + KEY, poll.getHeaders().get("Authorization"));
        }
        assertEquals(2, pauses.get());
        assertEquals("Hello! How can I help?", ((Response.Complete) response).body().json().path("choices").path(0)
                .path("message").path("content").asText());
    }

    @Test
    void aPinnedVersionIsCreatedThroughPredictionsWithItsVersion() throws Exception {
        server.enqueue(answer(201, text("prediction-succeeded.json")));
        String version = "fbfb20b472b2f3bdd101412a9f70a0ed4fc0ced78a77ff00970ee7a2383c575d";

        replicate().call(exchange(Operation.CHAT, CHAT), "meta/meta-llama-3-8b-instruct:" + version);

        RecordedRequest sent = server.takeRequest();
        assertEquals("/v1/predictions", sent.getTarget());
        assertEquals(version, json(sent.getBody().utf8()).path("version").asText());
    }

    @Test
    void aFailedPredictionIsARetryable502WithTheModelsError() {
        server.enqueue(answer(201, text("prediction-failed.json")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> replicate().call(exchange(Operation.CHAT, CHAT), MODEL));

        assertEquals(502, failure.status());
        assertTrue(failure.retryable());
        assertTrue(failure.getMessage().contains("CUDA out of memory"), failure.getMessage());
    }

    @Test
    void aPredictionStillRunningAtTheTimeoutIsCancelledAnd504() throws Exception {
        server.enqueue(answer(201, processing()));
        server.enqueue(answer(200, processing()));
        server.enqueue(answer(200, processing().replace("\"processing\"", "\"canceled\"")));

        // polls every 500 ms of fake time: one poll at 500 ms, and at 1000 ms the 900 ms deadline has passed
        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> replicate(Duration.ofMillis(900)).call(exchange(Operation.CHAT, CHAT), MODEL));

        assertEquals(504, failure.status());
        assertEquals("POST", server.takeRequest().getMethod());
        assertEquals(PREDICTION, server.takeRequest().getTarget());
        RecordedRequest cancel = server.takeRequest();
        assertEquals("POST", cancel.getMethod());
        assertEquals(PREDICTION + "/cancel", cancel.getTarget());
        assertEquals("Bearer " + KEY, cancel.getHeaders().get("Authorization"));
    }

    @Test
    void aCallerThatGoesAwayWhilePollingCancelsThePrediction() throws Exception {
        server.enqueue(answer(201, processing()));
        server.enqueue(answer(200, processing().replace("\"processing\"", "\"canceled\"")));
        Cancellation cancellation = new Cancellation();
        Exchange exchange = exchange(Operation.CHAT, CHAT).with(Cancellation.KEY, cancellation);
        ProviderSettings settings = ProviderSettings.of("replicate").withApiKey(KEY)
                .withApiBase(server.url("/").toString());
        ReplicateProvider leaving = new ReplicateProvider(settings, transport, InstantSource.system(), ticker,
                (duration, c) -> cancellation.cancel());

        assertThrows(ClientClosed.class, () -> leaving.call(exchange, MODEL));

        server.takeRequest();
        assertEquals(PREDICTION + "/cancel", server.takeRequest().getTarget());
    }

    @Test
    void errorsKeepTheirStatusAndLoseTheKey() {
        server.enqueue(answer(422, text("error-422.json")));
        server.enqueue(answer(401, text("error-401.json")));

        UpstreamFailure invalid = assertThrows(UpstreamFailure.class,
                () -> replicate().call(exchange(Operation.CHAT, CHAT), MODEL));
        UpstreamFailure unauthorised = assertThrows(UpstreamFailure.class,
                () -> replicate().call(exchange(Operation.CHAT, CHAT), MODEL));

        assertEquals(422, invalid.status());
        assertTrue(invalid.getMessage().contains("input.max_tokens"), invalid.getMessage());
        assertEquals(401, unauthorised.status());
        assertFalse(unauthorised.getMessage().contains(KEY), unauthorised.getMessage());
    }

    // streams

    @Test
    void aStreamIsRelayedFromTheStreamUrlWithoutTheKeyAndEndsWithTheReportedUsage() throws Exception {
        server.enqueue(answer(201, processing().replace("\"processing\"", "\"starting\"")));
        server.enqueue(sse(text("stream.sse")));
        server.enqueue(answer(200, text("prediction-succeeded.json")));

        Response response = replicate().call(exchange(Operation.CHAT, STREAM_CHAT), MODEL);
        List<JsonNode> chunks = WireFixtures.readAll(assertInstanceOf(Response.Streamed.class, response).chunks())
                .stream().map(c -> c.data().json()).toList();

        RecordedRequest create = server.takeRequest();
        assertNull(create.getHeaders().get("Prefer"), "a stream is not waited for");
        assertTrue(json(create.getBody().utf8()).path("stream").asBoolean());
        RecordedRequest stream = server.takeRequest();
        assertEquals("/v1/streams/s-3okdfv", stream.getTarget());
        assertEquals("text/event-stream", stream.getHeaders().get("Accept"));
        assertNull(stream.getHeaders().get("Authorization"), "the key stays with the API");
        assertEquals(PREDICTION, server.takeRequest().getTarget());
        assertEquals("assistant", chunks.getFirst().path("choices").path(0).path("delta").path("role").asText());
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> text.append(c.path("choices").path(0).path("delta").path("content").asText("")));
        assertEquals("Hello! How are\nyou?", text.toString());
        assertEquals("stop", chunks.get(chunks.size() - 2).path("choices").path(0).path("finish_reason").asText());
        assertEquals(21, chunks.getLast().path("usage").path("total_tokens").asLong());
    }

    @Test
    void anErrorEventMidStreamIsAnUpstreamFailure() {
        server.enqueue(answer(201, processing()));
        server.enqueue(sse(text("stream-error.sse")));

        ChunkStream chunks = ((Response.Streamed) replicate().call(exchange(Operation.CHAT, STREAM_CHAT), MODEL))
                .chunks();
        chunks.next();
        chunks.next();

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, chunks::hasNext);
        assertTrue(failure.getMessage().contains("CUDA out of memory"), failure.getMessage());
    }

    @Test
    void aModelThatDoesNotStreamIsWaitedForAndSentAsChunks() throws Exception {
        server.enqueue(answer(201, text("prediction-succeeded.json").replaceAll("\"stream\": \"[^\"]+\",", "")));
        Exchange metered = exchange(Operation.CHAT, STREAM_CHAT.replace(",\"stream_options\":{\"include_usage\":true}",
                "")).with(CostMeter.KEY, new CostMeter());

        List<JsonNode> chunks = WireFixtures.readAll(((Response.Streamed) replicate().call(metered, MODEL)).chunks())
                .stream().map(c -> c.data().json()).toList();

        assertEquals("Hello! How can I help?", chunks.get(1).path("choices").path(0).path("delta").path("content")
                .asText());
        assertEquals(21, chunks.getLast().path("usage").path("total_tokens").asLong(),
                "a metered stream ends with its usage for the cost stage");
        assertEquals(1, server.getRequestCount());
    }

    // the request

    @Test
    void aConversationIsRenderedAsATranscriptEndingWithTheAssistantsCue() throws Exception {
        server.enqueue(answer(201, text("prediction-succeeded.json")));
        String chat = """
                {"model":"x","messages":[{"role":"user","content":"What is the capital of France?"},\
                {"role":"assistant","content":"Paris."},{"role":"user","content":[{"type":"text",\
                "text":"And of Italy?"}]}],"stop":["</s>","User:"],"seed":7}""";

        replicate().call(exchange(Operation.CHAT, chat), MODEL);

        assertEquals(json("""
                {"input":{"prompt":"User: What is the capital of France?\\n\\nAssistant: Paris.\\n\\n\
                User: And of Italy?\\n\\nAssistant:","seed":7,"stop_sequences":"</s>,User:"}}"""),
                json(server.takeRequest().getBody().utf8()));
    }

    @Test
    void whatReplicateModelsCannotTakeIsA400BeforeAnyCall() {
        String tools = CHAT.replace("\"max_tokens\"", "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
                + "\"max_tokens\"");
        String image = """
                {"model":"x","messages":[{"role":"user","content":[{"type":"image_url",\
                "image_url":{"url":"https://example.com/cat.png"}}]}]}""";

        assertEquals("tools", assertThrows(InvalidRequest.class,
                () -> replicate().call(exchange(Operation.CHAT, tools), MODEL)).param().orElseThrow());
        assertEquals("messages[0].content", assertThrows(InvalidRequest.class,
                () -> replicate().call(exchange(Operation.CHAT, image), MODEL)).param().orElseThrow());
        assertEquals("model_not_found", assertThrows(InvalidRequest.class,
                () -> replicate().call(exchange(Operation.CHAT, CHAT), "llama-3")).code().orElseThrow());
        assertEquals(0, server.getRequestCount());
    }
}
