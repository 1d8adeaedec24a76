package dev.smartflow.providers.deepgram;

import static dev.smartflow.providers.WireFixtures.answer;
import static dev.smartflow.providers.WireFixtures.exchange;
import static dev.smartflow.providers.WireFixtures.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.LlmOperation;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.Upload;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.WireFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The adapter against a fake Deepgram speaking its wire format: what it sends, what it makes of it. */
@Timeout(20)
final class DeepgramProviderTest {
    private static final String KEY = "3f1c9a7e5b2d4068a1c3e5f7092b4d6f8a0c2e4b";
    private static final byte[] AUDIO = "ID3\u0004fake mp3 frames \u00ff\u00fb\u0090"
            .getBytes(StandardCharsets.ISO_8859_1);
    private static final String FORM = "{\"model\":\"deepgram/nova-3\"}";

    @StartStop
    private final MockWebServer server = new MockWebServer();
    private final HttpTransport transport = HttpTransport.create();

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    private DeepgramProvider deepgram() {
        return deepgram(ProviderSettings.of("deepgram"));
    }

    private DeepgramProvider deepgram(ProviderSettings settings) {
        return new DeepgramProvider(settings.withApiKey(KEY).withApiBase(server.url("/").toString()), transport);
    }

    private static String text(String name) {
        return WireFixtures.text("deepgram", name);
    }

    private static Exchange transcription(String form, String... headers) {
        return exchange(Operation.TRANSCRIPTIONS, form, headers)
                .with(Upload.KEY, Upload.of("meeting.mp3", "audio/mpeg", AUDIO));
    }

    private static JsonNode jsonOf(Response response) {
        Response.Complete complete = assertInstanceOf(Response.Complete.class, response);
        assertEquals("application/json", complete.headers().get("content-type").orElseThrow());
        return complete.body().json();
    }

    // what is sent

    @Test
    void audioIsPostedToV1ListenAsTheRawBodyWithTheProviderKey() throws Exception {
        server.enqueue(answer(200, text("listen.json")));

        deepgram().call(transcription(FORM, "authorization", "Bearer sk-caller-key-0123456789"), "nova-3");

        RecordedRequest sent = server.takeRequest();
        assertEquals("POST", sent.getMethod());
        assertEquals("/v1/listen", sent.getUrl().encodedPath());
        assertEquals("nova-3", sent.getUrl().queryParameter("model"), "the routed name, prefix stripped");
        assertEquals("true", sent.getUrl().queryParameter("smart_format"));
        assertEquals("Token " + KEY, sent.getHeaders().get("Authorization"), "the provider key, not the caller's");
        assertEquals("audio/mpeg", sent.getHeaders().get("Content-Type"), "the upload's own type");
        assertEquals(String.valueOf(AUDIO.length), sent.getHeaders().get("Content-Length"));
        assertArrayEquals(AUDIO, sent.getBody().toByteArray(), "the audio itself, not a multipart form");
    }

    @Test
    void withoutALanguageDeepgramIsAskedToDetectIt() throws Exception {
        server.enqueue(answer(200, text("listen.json")));

        deepgram().call(transcription(FORM), "nova-3");

        RecordedRequest sent = server.takeRequest();
        assertEquals("true", sent.getUrl().queryParameter("detect_language"));
        assertNull(sent.getUrl().queryParameter("language"));
    }

    @Test
    void aRequestedLanguageIsPassedThroughAndNothingIsDetected() throws Exception {
        server.enqueue(answer(200, text("listen-language.json")));

        deepgram().call(transcription("{\"model\":\"nova-2\",\"language\":\"de\",\"prompt\":\"Team meeting\","
                + "\"temperature\":0.2}"), "nova-2");

        RecordedRequest sent = server.takeRequest();
        assertEquals("de", sent.getUrl().queryParameter("language"));
        assertNull(sent.getUrl().queryParameter("detect_language"));
        assertEquals(List.of("model", "smart_format", "language"), List.copyOf(sent.getUrl().queryParameterNames()),
                "prompt and temperature have no Deepgram equivalent");
    }

    @Test
    void aThreeMegabyteFileUploadArrivesIntact(@TempDir Path dir) throws Exception {
        byte[] audio = new byte[3 * 1024 * 1024];
        new Random(42).nextBytes(audio);
        Path file = Files.write(dir.resolve("long-call.wav"), audio);
        server.enqueue(answer(200, text("listen.json")));

        deepgram().call(exchange(Operation.TRANSCRIPTIONS, FORM).with(Upload.KEY, Upload.of(file, "audio/wav")),
                "nova-3");

        RecordedRequest sent = server.takeRequest();
        assertEquals("audio/wav", sent.getHeaders().get("Content-Type"));
        assertEquals(audio.length, sent.getBodySize());
        assertArrayEquals(audio, sent.getBody().toByteArray());
    }

    // what comes back

    @Test
    void jsonAnswerIsTheTranscriptWithTheAudioSecondsAsUsage() {
        server.enqueue(answer(200, text("listen.json")));

        JsonNode body = jsonOf(deepgram().call(transcription(FORM), "nova-3"));

        assertEquals(json("""
                {"text":"Yeah, the meeting moved to 3 PM.","usage":{"type":"duration","seconds":25.933313}}"""),
                body);
        assertTrue(body.path("usage").path("seconds").isNumber(), "the cost stage reads a number");
    }

    @Test
    void explicitJsonFormatIsTheSameAnswer() {
        server.enqueue(answer(200, text("listen.json")));

        JsonNode body = jsonOf(deepgram().call(transcription("{\"model\":\"nova-3\",\"response_format\":\"json\"}"),
                "nova-3"));

        assertEquals("Yeah, the meeting moved to 3 PM.", body.path("text").asText());
        assertEquals(25.933313, body.path("usage").path("seconds").doubleValue());
    }

    @Test
    void verboseJsonCarriesTheDetectedLanguageDurationAndPunctuatedWords() {
        server.enqueue(answer(200, text("listen.json")));

        JsonNode body = jsonOf(deepgram().call(transcription(
                "{\"model\":\"nova-3\",\"response_format\":\"verbose_json\"}"), "nova-3"));

        assertEquals("transcribe", body.path("task").asText());
        assertEquals("en", body.path("language").asText());
        assertEquals(25.933313, body.path("duration").doubleValue());
        assertEquals("Yeah, the meeting moved to 3 PM.", body.path("text").asText());
        assertEquals(7, body.path("words").size());
        assertEquals(json("{\"word\":\"Yeah,\",\"start\":0.08,\"end\":0.32}"), body.path("words").path(0));
        assertEquals(json("{\"word\":\"pm\",\"start\":1.68,\"end\":2.16}"), body.path("words").path(6),
                "a word Deepgram did not punctuate keeps its plain form");
        assertTrue(body.path("segments").isArray());
        assertEquals(0, body.path("segments").size());
        assertEquals(json("{\"type\":\"duration\",\"seconds\":25.933313}"), body.path("usage"));
    }

    @Test
    void verboseJsonFallsBackToTheRequestedLanguageWhenDeepgramDetectedNone() {
        server.enqueue(answer(200, text("listen-language.json")));

        JsonNode body = jsonOf(deepgram().call(transcription(
                "{\"model\":\"nova-2\",\"language\":\"de\",\"response_format\":\"verbose_json\"}"), "nova-2"));

        assertEquals("de", body.path("language").asText());
        assertEquals(4.5, body.path("duration").doubleValue());
        assertEquals("zusammen.", body.path("words").path(2).path("word").asText());
    }

    @Test
    void verboseJsonSaysUnknownWhenNoLanguageIsKnown() {
        server.enqueue(answer(200, text("listen-language.json")));

        JsonNode body = jsonOf(deepgram().call(transcription(
                "{\"model\":\"nova-2\",\"response_format\":\"verbose_json\"}"), "nova-2"));

        assertEquals("unknown", body.path("language").asText());
    }

    @Test
    void textFormatIsThePlainTranscript() {
        server.enqueue(answer(200, text("listen.json")));

        Response.Complete complete = assertInstanceOf(Response.Complete.class, deepgram().call(transcription(
                "{\"model\":\"nova-3\",\"response_format\":\"text\"}"), "nova-3"));

        assertEquals("text/plain; charset=utf-8", complete.headers().get("content-type").orElseThrow());
        assertEquals("Yeah, the meeting moved to 3 PM.", complete.body().utf8());
    }

    @Test
    void anAnswerWithoutDurationHasNoUsageRatherThanAMadeUpOne() {
        String answer = text("listen.json").replace("\"duration\": 25.933313,", "");
        server.enqueue(answer(200, answer));

        JsonNode body = jsonOf(deepgram().call(transcription(FORM), "nova-3"));

        assertEquals("Yeah, the meeting moved to 3 PM.", body.path("text").asText());
        assertFalse(body.has("usage"), body.toString());
    }

    @Test
    void anAnswerWithoutATranscriptIsARetryableFailure() {
        server.enqueue(answer(200, "{\"metadata\":{\"duration\":3.0},\"results\":{\"channels\":[]}}"));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> deepgram().call(transcription(FORM), "nova-3"));

        assertEquals(502, failure.status());
        assertTrue(failure.retryable());
        assertTrue(failure.getMessage().contains("no transcript"), failure.getMessage());
    }

    @Test
    void anAnswerThatIsNotJsonIsA502() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("content-type", "text/html")
                .body("<html>gateway</html>").build());

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> deepgram().call(transcription(FORM), "nova-3"));

        assertEquals(502, failure.status());
    }

    // refused before anything is sent

    @ParameterizedTest
    @ValueSource(strings = {"srt", "vtt", "xml"})
    void formatsDeepgramCannotShapeAreRefusedBeforeTheAudioIsSent(String format) {
        InvalidRequest error = assertThrows(InvalidRequest.class, () -> deepgram().call(transcription(
                "{\"model\":\"nova-3\",\"response_format\":\"" + format + "\"}"), "nova-3"));

        assertEquals(400, error.status());
        assertEquals("response_format", error.param().orElseThrow());
        assertTrue(error.getMessage().contains("json, verbose_json and text"), error.getMessage());
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void aTranscriptionWithoutAFileIsRefused() {
        InvalidRequest error = assertThrows(InvalidRequest.class,
                () -> deepgram().call(exchange(Operation.TRANSCRIPTIONS, FORM), "nova-3"));

        assertEquals("missing required parameter 'file'", error.getMessage());
        assertEquals("invalid_request", error.code().orElseThrow());
        assertEquals("file", error.param().orElseThrow());
        assertEquals(0, server.getRequestCount());
    }

    @ParameterizedTest
    @ValueSource(strings = {"CHAT", "EMBEDDINGS", "SPEECH", "ANTHROPIC_MESSAGES"})
    void operationsOtherThanTranscriptionAreUnsupported(LlmOperation operation) {
        InvalidRequest error = assertThrows(InvalidRequest.class, () -> deepgram().call(
                exchange(operation, "{\"model\":\"nova-3\",\"input\":\"hello\",\"messages\":[]}"), "nova-3"));

        assertEquals("unsupported_operation", error.code().orElseThrow());
        assertTrue(error.getMessage().contains("'deepgram'"), error.getMessage());
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void adapterWithoutAKeyIsUnavailableAndSendsNothing() {
        DeepgramProvider keyless = new DeepgramProvider(ProviderSettings.of("deepgram"), transport);

        assertFalse(keyless.available());
        assertEquals(DeepgramProvider.DEFAULT_BASE + "/", keyless.apiBase());
        InvalidRequest error = assertThrows(InvalidRequest.class, () -> keyless.call(transcription(FORM), "nova-3"));
        assertEquals("provider_not_configured", error.code().orElseThrow());
        assertEquals(0, server.getRequestCount());
    }

    // errors

    @ParameterizedTest
    @CsvSource({"error-400.json, 400, 400, false",
            "error-401.json, 401, 401, false",
            "error-401.json, 403, 403, false",
            "error-400.json, 413, 413, false",
            "error-429.json, 429, 429, true",
            "error-402.json, 402, 502, false",
            "error-500.json, 500, 502, true",
            "error-500.json, 503, 502, true"})
    void errorBodiesBecomeUpstreamFailuresCarryingDeepgramsMessage(String fixture, int upstream, int status,
                                                                  boolean retryable) {
        server.enqueue(answer(upstream, text(fixture)));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> deepgram().call(transcription(FORM), "nova-3"));

        assertEquals(status, failure.status());
        assertEquals(upstream, failure.upstreamStatus().orElseThrow());
        assertEquals(retryable, failure.retryable());
        String message = json(text(fixture)).path("err_msg").asText();
        assertTrue(failure.getMessage().endsWith(": " + message), failure.getMessage());
    }

    @Test
    void theNewerErrorShapeGivesItsMessageAndDetails() {
        server.enqueue(answer(400, text("error-400-category.json")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> deepgram().call(transcription(FORM), "nova-3"));

        assertEquals(400, failure.status());
        assertTrue(failure.getMessage().endsWith(
                ": Invalid query string. No such model/language/tier combination found."), failure.getMessage());
    }

    @Test
    void aKeyEchoedInA401IsScrubbed() {
        server.enqueue(answer(401, "{\"err_code\":\"INVALID_AUTH\",\"err_msg\":\"Invalid credentials: Token " + KEY
                + "\",\"request_id\":\"e7f9a1b3-c5d7-4e9f-8a0b-2c4d6e8f0a1b\"}"));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> deepgram().call(transcription(FORM), "nova-3"));

        assertEquals(401, failure.status());
        assertFalse(failure.getMessage().contains(KEY), failure.getMessage());
        assertTrue(failure.getMessage().contains("Invalid credentials: Token [redacted]"), failure.getMessage());
    }

    @Test
    void aPlainTextErrorIsCarriedScrubbed() {
        server.enqueue(new MockResponse.Builder().code(401).addHeader("content-type", "text/plain")
                .body("User does not have sufficient permissions. key=" + KEY).build());

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> deepgram().call(transcription(FORM), "nova-3"));

        assertEquals(401, failure.status());
        assertFalse(failure.getMessage().contains(KEY), failure.getMessage());
        assertTrue(failure.getMessage().contains("sufficient permissions"), failure.getMessage());
    }

    @Test
    void connectionDroppedWhileTheAnswerIsReadIsARetryable502() {
        server.enqueue(new MockResponse.Builder()
                .addHeader("content-type", "application/json")
                .body(text("listen.json"))
                .onResponseBody(new SocketEffect.CloseSocket(true, false, false))
                .build());

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> deepgram().call(transcription(FORM), "nova-3"));

        assertEquals(502, failure.status());
        assertTrue(failure.retryable());
        assertTrue(failure.getMessage().contains("connection lost"), failure.getMessage());
    }

    @Test
    void connectionDroppedBeforeAnAnswerIsARetryable502() {
        server.enqueue(new MockResponse.Builder()
                .onRequestStart(new SocketEffect.CloseSocket(true, false, false))
                .build());

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> deepgram().call(transcription(FORM), "nova-3"));

        assertEquals(502, failure.status());
        assertTrue(failure.retryable());
    }

    @Test
    void upstreamThatNeverAnswersTimesOutWith504() {
        server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
        DeepgramProvider deepgram = deepgram(ProviderSettings.of("deepgram").withTimeout(Duration.ofMillis(300)));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> deepgram.call(transcription(FORM), "nova-3"));

        assertEquals(504, failure.status());
        assertTrue(failure.retryable());
    }

    // models and configuration

    @Test
    void modelsAreTheDistinctSpeechToTextModelsOfV1Models() throws Exception {
        server.enqueue(answer(200, text("models.json")));

        List<JsonNode> models = deepgram().models();

        RecordedRequest sent = server.takeRequest();
        assertEquals("GET", sent.getMethod());
        assertEquals("/v1/models", sent.getUrl().encodedPath());
        assertEquals("Token " + KEY, sent.getHeaders().get("Authorization"));
        assertEquals(List.of("nova-3-general", "nova-2-general", "whisper-large"),
                models.stream().map(m -> m.path("id").asText()).toList(),
                "canonical names once each, a model without one by its name, no text-to-speech voices");
        assertEquals("model", models.getFirst().path("object").asText());
        assertEquals("deepgram", models.getFirst().path("owned_by").asText());
    }

    @Test
    void aModelListWithoutSpeechToTextModelsIsA502() {
        server.enqueue(answer(200, "{\"tts\":[]}"));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> deepgram().models());

        assertEquals(502, failure.status());
        assertTrue(failure.getMessage().contains("no stt array"), failure.getMessage());
    }

    @Test
    void theNameComesFromTheSettingsAndTheKeyStaysOutOfToString() {
        DeepgramProvider eu = deepgram(ProviderSettings.of("deepgram_eu"));
        server.enqueue(answer(401, text("error-401.json")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> eu.call(transcription(FORM), "nova-3"));

        assertEquals("deepgram_eu", eu.name());
        assertEquals("deepgram_eu", failure.provider());
        assertTrue(eu.apiBase().startsWith(server.url("/").toString()), eu.apiBase());
        assertFalse(eu.toString().contains(KEY), eu.toString());
        assertTrue(eu.toString().startsWith("DeepgramProvider["), eu.toString());
    }
}
