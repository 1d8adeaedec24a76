package dev.smartflow.providers.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.Upload;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.WireFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.MultipartReader;
import okio.Buffer;
import okio.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The media operations of the OpenAI-compatible adapter against a fake upstream speaking OpenAI's wire format: image
 * generation and rerank as JSON passthrough, speech relayed as a byte stream, transcription sent as multipart form.
 */
@Timeout(20)
final class OpenAiMediaTest {
    private static final String KEY = Fixtures.KEY;
    /** {@code UpstreamBytes.MAX_CHUNK}: no chunk of a relayed byte stream is larger. */
    private static final int MAX_CHUNK = 16 * 1024;
    /** Shorter than {@link GatedBody}'s wait for the release. */
    private static final Duration GATED_IDLE = Duration.ofSeconds(8);
    private static final String IMAGE_BODY = """
            {"model":"openai/gpt-image-1","prompt":"A small red lighthouse at dusk, watercolour","n":1,\
            "size":"1024x1024","quality":"low","x_vendor_extension":{"keep":[1,2.50,"me"]}}""";
    private static final String SPEECH_BODY = """
            {"model":"openai/gpt-4o-mini-tts","input":"The meeting starts in five minutes.","voice":"coral",\
            "instructions":"Speak calmly.","response_format":"mp3","speed":1.25}""";
    private static final String TRANSCRIPTION_BODY = """
            {"model":"openai/whisper-1","language":"fr","temperature":0.2,"response_format":"verbose_json",\
            "timestamp_granularities":["word","segment"],"prompt":null}""";

    @StartStop
    private final MockWebServer server = new MockWebServer();
    private HttpTransport transport;

    @BeforeEach
    void createTransport() {
        transport = HttpTransport.create();
    }

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    @Test
    void imageGenerationIsPostedAsJsonWithTheRoutedModelAndTheKey() throws Exception {
        server.enqueue(WireFixtures.answer(200, Fixtures.text("image-b64.json")));

        openAi().call(exchange(Operation.IMAGES, IMAGE_BODY), "gpt-image-1");

        RecordedRequest sent = server.takeRequest();
        assertEquals("POST", sent.getMethod());
        assertEquals("/v1/images/generations", sent.getUrl().encodedPath());
        assertEquals("Bearer " + KEY, sent.getHeaders().get("Authorization"));
        assertEquals("application/json", sent.getHeaders().get("Content-Type"));
        JsonNode body = WireFixtures.json(sent.getBody().utf8());
        assertEquals("gpt-image-1", body.path("model").asText());
        ObjectNode expected = (ObjectNode) WireFixtures.json(IMAGE_BODY);
        expected.put("model", "gpt-image-1");
        assertEquals(expected, body, "every other field, unknown ones included, is forwarded as sent");
    }

    @Test
    void imageAnswerComesBackAsTheUpstreamsJson() {
        String answer = Fixtures.text("image-b64.json");
        server.enqueue(WireFixtures.answer(200, answer));

        Response response = openAi().call(exchange(Operation.IMAGES, IMAGE_BODY), "gpt-image-1");

        Response.Complete complete = assertInstanceOf(Response.Complete.class, response);
        assertEquals(200, complete.status());
        assertEquals("application/json", complete.headers().get("content-type").orElseThrow());
        assertEquals(answer, complete.body().utf8());
        JsonNode json = complete.body().json();
        assertTrue(json.path("data").path(0).path("b64_json").asText().startsWith("iVBORw0KGgo"));
        assertEquals(289, json.path("usage").path("total_tokens").asInt());
    }

    @Test
    void imageUrlAnswerKeepsTheRevisedPrompt() {
        String answer = Fixtures.text("image-url.json");
        server.enqueue(WireFixtures.answer(200, answer));

        Response.Complete complete = (Response.Complete) openAi().call(exchange(Operation.IMAGES,
                "{\"model\":\"dall-e-3\",\"prompt\":\"a lighthouse\",\"response_format\":\"url\"}"), "dall-e-3");

        JsonNode image = complete.body().json().path("data").path(0);
        assertTrue(image.path("url").asText().startsWith("https://"), image.toString());
        assertTrue(image.path("revised_prompt").asText().startsWith("A small red lighthouse"), image.toString());
        assertEquals(answer, complete.body().utf8());
    }

    @Test
    void imageRejectedByTheUpstreamKeepsItsStatusAndMessage() {
        server.enqueue(WireFixtures.answer(400, Fixtures.text("image-error-400.json")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> openAi().call(exchange(Operation.IMAGES, IMAGE_BODY), "gpt-image-1"));

        assertEquals(400, failure.status());
        assertEquals("content_policy_violation", failure.code().orElseThrow());
        assertTrue(failure.getMessage().contains("rejected as a result of our safety system"), failure.getMessage());
    }

    @Test
    void rerankIsPostedToTheRerankEndpointWithTheRoutedModel() throws Exception {
        server.enqueue(WireFixtures.answer(200, Fixtures.text("rerank.json")));
        String body = """
                {"model":"vllm/BAAI/bge-reranker-v2-m3","query":"What is the capital of France?",\
                "documents":["Lyon is known for its cuisine and its silk industry.","Bordeaux makes wine.",\
                "Paris is the capital and largest city of France."],"top_n":2,"return_documents":true}""";

        compatible("vllm", "/serving/v1/").call(exchange(Operation.RERANK, body), "BAAI/bge-reranker-v2-m3");

        RecordedRequest sent = server.takeRequest();
        assertEquals("POST", sent.getMethod());
        assertEquals("/serving/v1/rerank", sent.getUrl().encodedPath());
        assertEquals("Bearer local-token-123456", sent.getHeaders().get("Authorization"));
        ObjectNode expected = (ObjectNode) WireFixtures.json(body);
        expected.put("model", "BAAI/bge-reranker-v2-m3");
        assertEquals(expected, WireFixtures.json(sent.getBody().utf8()));
    }

    @Test
    void rerankAnswerComesBackAsTheUpstreamsJson() {
        String answer = Fixtures.text("rerank.json");
        server.enqueue(WireFixtures.answer(200, answer));

        Response response = compatible("vllm", "/serving/v1/").call(exchange(Operation.RERANK,
                "{\"model\":\"BAAI/bge-reranker-v2-m3\",\"query\":\"q\",\"documents\":[\"a\",\"b\",\"c\"]}"),
                "BAAI/bge-reranker-v2-m3");

        Response.Complete complete = assertInstanceOf(Response.Complete.class, response);
        assertEquals("application/json", complete.headers().get("content-type").orElseThrow());
        assertEquals(answer, complete.body().utf8());
        JsonNode results = complete.body().json().path("results");
        assertEquals(2, results.path(0).path("index").asInt());
        assertEquals(0, results.path(1).path("index").asInt());
        assertEquals(0.99853515625, results.path(0).path("relevance_score").asDouble());
    }

    @Test
    void speechIsPostedAsJsonAskingForAudio() throws Exception {
        server.enqueue(audio(bytes(1_000, 1)).build());

        try (ChunkStream stream = streamed(openAi().call(exchange(Operation.SPEECH, SPEECH_BODY), "gpt-4o-mini-tts"))
                .chunks()) {
            WireFixtures.readAll(stream);
        }

        RecordedRequest sent = server.takeRequest();
        assertEquals("POST", sent.getMethod());
        assertEquals("/v1/audio/speech", sent.getUrl().encodedPath());
        assertEquals("Bearer " + KEY, sent.getHeaders().get("Authorization"));
        assertEquals("application/json", sent.getHeaders().get("Content-Type"));
        assertTrue(sent.getHeaders().get("Accept").contains("audio/*"), sent.getHeaders().get("Accept"));
        ObjectNode expected = (ObjectNode) WireFixtures.json(SPEECH_BODY);
        expected.put("model", "gpt-4o-mini-tts");
        assertEquals(expected, WireFixtures.json(sent.getBody().utf8()));
    }

    @Test
    void speechBytesArriveWholeInSeveralChunksWithTheUpstreamsContentType() {
        byte[] mp3 = bytes(100 * 1024, 2);
        server.enqueue(audio(mp3).throttleBody(8 * 1024, 1, TimeUnit.MILLISECONDS).build());

        Response.Streamed streamed = streamed(openAi().call(exchange(Operation.SPEECH, SPEECH_BODY),
                "gpt-4o-mini-tts"));
        List<Chunk> chunks = WireFixtures.readAll(streamed.chunks());

        assertEquals(200, streamed.status());
        assertEquals("audio/mpeg", streamed.headers().get("content-type").orElseThrow());
        assertFalse(streamed.events(), "a byte stream, not server-sent events");
        assertTrue(chunks.size() >= 2, "chunks: " + chunks.size());
        assertTrue(chunks.stream().allMatch(c -> c.data().length() > 0 && c.data().length() <= MAX_CHUNK),
                "every chunk holds 1 to 16 KiB");
        assertTrue(chunks.stream().allMatch(c -> c.event().isEmpty()));
        assertArrayEquals(mp3, concat(chunks));
    }

    @Test
    void speechAskedForAsEventsIsRelayedEventByEvent() {
        String delta = "{\"type\":\"speech.audio.delta\",\"audio\":\"AAEC\"}";
        String done = "{\"type\":\"speech.audio.done\",\"usage\":{\"input_tokens\":4,\"output_tokens\":20,"
                + "\"total_tokens\":24}}";
        server.enqueue(new MockResponse.Builder().addHeader("content-type", "text/event-stream")
                .body("data: " + delta + "\n\ndata: " + delta + "\n\ndata: " + done + "\n\n").build());

        Response.Streamed streamed = streamed(openAi().call(exchange(Operation.SPEECH, SPEECH_BODY.replace(
                "\"mp3\"", "\"mp3\",\"stream_format\":\"sse\"")), "gpt-4o-mini-tts"));
        List<Chunk> chunks = WireFixtures.readAll(streamed.chunks());

        assertTrue(streamed.events(), "server-sent events, not raw bytes");
        assertEquals(List.of(delta, delta, done), chunks.stream().map(c -> c.data().utf8()).toList());
    }

    @Test
    void speechWithoutAContentTypeIsAnOctetStream() {
        byte[] pcm = bytes(4_000, 3);
        server.enqueue(new MockResponse.Builder().body(new Buffer().write(pcm)).build());

        Response.Streamed streamed = streamed(openAi().call(exchange(Operation.SPEECH, SPEECH_BODY.replace(
                "\"mp3\"", "\"pcm\"")), "gpt-4o-mini-tts"));
        List<Chunk> chunks = WireFixtures.readAll(streamed.chunks());

        assertEquals("application/octet-stream", streamed.headers().get("content-type").orElseThrow());
        assertFalse(streamed.events());
        assertArrayEquals(pcm, concat(chunks));
    }

    @Test
    void firstSpeechChunkReachesTheReaderBeforeTheUpstreamSendsTheRest() {
        byte[] first = bytes(3_000, 4);
        byte[] rest = bytes(60_000, 5);
        GatedBody body = new GatedBody(first, rest);
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "audio/mpeg").body(body).build());

        try (ChunkStream stream = streamed(openAiWaitingAtMost(GATED_IDLE).call(exchange(Operation.SPEECH,
                SPEECH_BODY), "gpt-4o-mini-tts")).chunks()) {
            assertTrue(stream.hasNext());
            Chunk chunk = stream.next();
            assertEquals(1, body.restSent.getCount(), "nothing but the first part was sent yet");
            body.release.countDown();
            List<Chunk> after = WireFixtures.readAll(stream);

            byte[] received = concat(List.of(chunk), after);
            assertArrayEquals(concat(first, rest), received);
            assertTrue(chunk.data().length() <= first.length, "the first chunk holds only what had arrived");
        } finally {
            body.release.countDown();
        }
    }

    @Test
    void speechConnectionDroppedMidBodyIsAnUpstreamFailure() {
        byte[] mp3 = bytes(100 * 1024, 6);
        server.enqueue(audio(mp3).onResponseBody(new SocketEffect.CloseSocket(true, false, false)).build());

        ChunkStream stream = streamed(openAi().call(exchange(Operation.SPEECH, SPEECH_BODY), "gpt-4o-mini-tts"))
                .chunks();
        List<Chunk> before = new ArrayList<>();
        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> {
            while (stream.hasNext()) {
                before.add(stream.next());
            }
        });

        assertEquals(502, failure.status());
        assertEquals("upstream_unavailable", failure.code().orElseThrow());
        assertTrue(failure.retryable());
        byte[] received = concat(before);
        assertTrue(received.length < mp3.length, "the socket closed before the end: " + received.length);
        assertArrayEquals(Arrays.copyOf(mp3, received.length), received, "what arrived is the start of the audio");
        assertFalse(stream.hasNext(), "a failed stream stays ended");
        stream.close();
    }

    @Test
    void speechClosedEarlyReleasesItsConnection() throws Exception {
        GatedBody body = new GatedBody(bytes(2_000, 7), bytes(80_000, 8));
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "audio/mpeg").body(body).build());
        byte[] second = bytes(5_000, 9);
        server.enqueue(audio(second).build());
        OpenAiProvider openAi = openAiWaitingAtMost(GATED_IDLE);
        ConnectionPool pool = transport.client().connectionPool();

        try {
            ChunkStream stream = streamed(openAi.call(exchange(Operation.SPEECH, SPEECH_BODY), "gpt-4o-mini-tts"))
                    .chunks();
            assertTrue(stream.hasNext());
            stream.next();
            assertEquals(1, pool.connectionCount() - pool.idleConnectionCount(), "the open stream holds one");

            stream.close();

            assertFalse(stream.hasNext());
            assertEquals(0, pool.connectionCount() - pool.idleConnectionCount(), "no connection is held any more");
            List<Chunk> next = WireFixtures.readAll(streamed(openAi.call(exchange(Operation.SPEECH, SPEECH_BODY),
                    "gpt-4o-mini-tts")).chunks());
            assertArrayEquals(second, concat(next));
            assertEquals(2, server.getRequestCount());
        } finally {
            body.release.countDown();
        }
    }

    @Test
    void speechReadToTheEndLeavesItsConnectionForTheNextCall() throws Exception {
        server.enqueue(audio(bytes(40_000, 10)).build());
        server.enqueue(audio(bytes(1_000, 11)).build());
        OpenAiProvider openAi = openAi();

        WireFixtures.readAll(streamed(openAi.call(exchange(Operation.SPEECH, SPEECH_BODY), "gpt-4o-mini-tts"))
                .chunks());
        WireFixtures.readAll(streamed(openAi.call(exchange(Operation.SPEECH, SPEECH_BODY), "gpt-4o-mini-tts"))
                .chunks());

        RecordedRequest first = server.takeRequest();
        RecordedRequest second = server.takeRequest();
        assertEquals(first.getConnectionIndex(), second.getConnectionIndex());
        assertEquals(1, second.getExchangeIndex());
    }

    @Test
    void speechErrorStatusFailsBeforeAnyChunk() {
        server.enqueue(WireFixtures.answer(429, Fixtures.text("error-429.json")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> openAi().call(exchange(Operation.SPEECH, SPEECH_BODY), "gpt-4o-mini-tts"));

        assertEquals(429, failure.status());
        assertEquals(OptionalInt.of(429), failure.upstreamStatus());
        assertTrue(failure.retryable());
    }

    @Test
    void azureSpeechNamesTheDeploymentInThePath() throws Exception {
        server.enqueue(audio(bytes(2_000, 12)).build());
        OpenAiProvider azure = new OpenAiProvider(ProviderSettings.of("azure").withApiKey("azure-key-0123456789")
                .withApiBase(server.url("/").toString()), transport);

        WireFixtures.readAll(streamed(azure.call(exchange(Operation.SPEECH, SPEECH_BODY), "prod-tts")).chunks());

        RecordedRequest sent = server.takeRequest();
        assertEquals("/openai/deployments/prod-tts/audio/speech", sent.getUrl().encodedPath());
        assertEquals("2024-10-21", sent.getUrl().queryParameter("api-version"));
        assertEquals("azure-key-0123456789", sent.getHeaders().get("api-key"));
        assertNull(sent.getHeaders().get("Authorization"));
    }

    @Test
    void speechOnAProviderWithoutAKeyIsAnInvalidRequest() {
        OpenAiProvider unconfigured = new OpenAiProvider(ProviderSettings.of("openai")
                .withApiBase(server.url("/v1").toString()), transport);

        InvalidRequest rejected = assertThrows(InvalidRequest.class,
                () -> unconfigured.call(exchange(Operation.SPEECH, SPEECH_BODY), "gpt-4o-mini-tts"));

        assertEquals(400, rejected.status());
        assertEquals("provider_not_configured", rejected.code().orElseThrow());
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void transcriptionIsAMultipartFormWithTheFileTheRoutedModelAndEveryField() throws Exception {
        server.enqueue(WireFixtures.answer(200, Fixtures.text("transcription-verbose.json")));
        byte[] mp3 = bytes(20_000, 13);

        openAi().call(transcription(TRANSCRIPTION_BODY, Upload.of("meeting.mp3", "audio/mpeg", mp3)), "whisper-1");

        RecordedRequest sent = server.takeRequest();
        assertEquals("POST", sent.getMethod());
        assertEquals("/v1/audio/transcriptions", sent.getUrl().encodedPath());
        assertEquals("Bearer " + KEY, sent.getHeaders().get("Authorization"));
        List<FormPart> parts = formParts(sent);
        assertEquals(List.of("file", "language", "model", "response_format", "temperature",
                "timestamp_granularities[]", "timestamp_granularities[]"),
                parts.stream().map(FormPart::name).sorted().toList(), "a null field is left out");
        assertEquals("whisper-1", part(parts, "model").text());
        assertEquals("fr", part(parts, "language").text());
        assertEquals("0.2", part(parts, "temperature").text());
        assertEquals("verbose_json", part(parts, "response_format").text());
        assertEquals(List.of("word", "segment"), parts.stream()
                .filter(p -> p.name().equals("timestamp_granularities[]")).map(FormPart::text).toList());
        assertTrue(parts.stream().filter(p -> !p.name().equals("file")).allMatch(p -> p.filename().isEmpty()),
                "text fields carry no filename");
    }

    @Test
    void transcriptionFileKeepsItsNameTypeAndBytes() throws Exception {
        server.enqueue(WireFixtures.answer(200, Fixtures.text("transcription.json")));
        byte[] m4a = bytes(20_000, 14);

        openAi().call(transcription("{\"model\":\"whisper-1\"}", Upload.of("voice note.m4a", "audio/mp4", m4a)),
                "whisper-1");

        FormPart file = part(formParts(server.takeRequest()), "file");
        assertEquals(Optional.of("voice note.m4a"), file.filename());
        assertEquals(Optional.of("audio/mp4"), file.contentType());
        assertArrayEquals(m4a, file.bytes().toByteArray());
    }

    @Test
    void transcriptionUploadFromAFileArrivesIntact(@TempDir Path dir) throws Exception {
        server.enqueue(WireFixtures.answer(200, Fixtures.text("transcription.json")));
        byte[] wav = bytes(2 * 1024 * 1024 + 17, 15);
        Path file = Files.write(dir.resolve("long-meeting.wav"), wav);

        openAi().call(transcription("{\"model\":\"whisper-1\",\"response_format\":\"json\"}",
                Upload.of(file, "audio/wav")), "whisper-1");

        FormPart sentFile = part(formParts(server.takeRequest()), "file");
        assertEquals(Optional.of("long-meeting.wav"), sentFile.filename());
        assertEquals(Optional.of("audio/wav"), sentFile.contentType());
        assertEquals(wav.length, sentFile.bytes().size());
        assertArrayEquals(wav, sentFile.bytes().toByteArray());
    }

    @Test
    void transcriptionJsonAnswerIsReadAsJson() {
        String answer = Fixtures.text("transcription.json");
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json; charset=utf-8")
                .body(answer).build());

        Response response = openAi().call(transcription("{\"model\":\"whisper-1\"}", audioUpload()), "whisper-1");

        Response.Complete complete = assertInstanceOf(Response.Complete.class, response);
        assertEquals(200, complete.status());
        assertEquals("application/json", complete.headers().get("content-type").orElseThrow());
        assertEquals("Bonjour à tous, la réunion commence dans cinq minutes.",
                complete.body().json().path("text").asText());
        assertEquals("duration", complete.body().json().path("usage").path("type").asText());
        assertEquals(4, complete.body().json().path("usage").path("seconds").asInt());
    }

    @Test
    void transcriptionVerboseJsonAnswerKeepsWordsAndSegments() {
        String answer = Fixtures.text("transcription-verbose.json");
        server.enqueue(WireFixtures.answer(200, answer));

        Response.Complete complete = (Response.Complete) openAi().call(transcription(TRANSCRIPTION_BODY,
                audioUpload()), "whisper-1");

        JsonNode json = complete.body().json();
        assertEquals(3.72, json.path("duration").asDouble());
        assertEquals(9, json.path("words").size());
        assertEquals("réunion", json.path("words").path(4).path("word").asText());
        assertEquals(1, json.path("segments").size());
        assertEquals(answer, complete.body().utf8());
    }

    @Test
    void transcriptionTextAnswerPassesThroughWithItsContentType() {
        String text = "Bonjour à tous, la réunion commence dans cinq minutes.\n";
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/plain; charset=utf-8").body(text)
                .build());

        Response response = openAi().call(transcription("{\"model\":\"whisper-1\",\"response_format\":\"text\"}",
                audioUpload()), "whisper-1");

        Response.Complete complete = assertInstanceOf(Response.Complete.class, response);
        assertEquals(200, complete.status());
        assertEquals("text/plain; charset=utf-8", complete.headers().get("content-type").orElseThrow());
        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), complete.body().bytes());
    }

    @Test
    void transcriptionSubtitlesPassThroughWithTheirContentType() {
        String vtt = """
                WEBVTT

                00:00:00.000 --> 00:00:03.720
                Bonjour à tous, la réunion commence dans cinq minutes.
                """;
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/vtt; charset=utf-8").body(vtt)
                .build());

        Response.Complete complete = (Response.Complete) openAi().call(transcription(
                "{\"model\":\"whisper-1\",\"response_format\":\"vtt\"}", audioUpload()), "whisper-1");

        assertEquals("text/vtt; charset=utf-8", complete.headers().get("content-type").orElseThrow());
        assertEquals(vtt, complete.body().utf8());
    }

    @Test
    void transcriptionErrorKeepsStatus400AndTheUpstreamsMessage() {
        server.enqueue(WireFixtures.answer(400, Fixtures.text("transcription-error-400.json")));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> openAi().call(transcription("{\"model\":\"whisper-1\"}", audioUpload()), "whisper-1"));

        assertEquals(400, failure.status());
        assertEquals(OptionalInt.of(400), failure.upstreamStatus());
        assertEquals("invalid_value", failure.code().orElseThrow());
        assertFalse(failure.retryable());
        assertTrue(failure.getMessage().contains("could not be decoded or its format is not supported"),
                failure.getMessage());
    }

    @Test
    void transcriptionWithoutAnUploadIsAnInvalidRequest() {
        InvalidRequest rejected = assertThrows(InvalidRequest.class, () -> openAi().call(
                exchange(Operation.TRANSCRIPTIONS, "{\"model\":\"whisper-1\"}"), "whisper-1"));

        assertEquals(400, rejected.status());
        assertEquals(Optional.of("file"), rejected.param());
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void transcriptionOnAProviderWithoutAKeyIsAnInvalidRequest() {
        OpenAiProvider unconfigured = new OpenAiProvider(ProviderSettings.of("openai")
                .withApiBase(server.url("/v1").toString()), transport);

        InvalidRequest rejected = assertThrows(InvalidRequest.class, () -> unconfigured.call(
                transcription("{\"model\":\"whisper-1\"}", audioUpload()), "whisper-1"));

        assertEquals(400, rejected.status());
        assertEquals("provider_not_configured", rejected.code().orElseThrow());
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void azureTranscriptionNamesTheDeploymentInThePath() throws Exception {
        server.enqueue(WireFixtures.answer(200, Fixtures.text("transcription.json")));
        OpenAiProvider azure = new OpenAiProvider(ProviderSettings.of("azure").withApiKey("azure-key-0123456789")
                .withApiBase(server.url("/").toString()).withApiVersion("2025-03-01-preview"), transport);

        azure.call(transcription("{\"model\":\"azure/prod-whisper\"}", audioUpload()), "prod-whisper");

        RecordedRequest sent = server.takeRequest();
        assertEquals("/openai/deployments/prod-whisper/audio/transcriptions", sent.getUrl().encodedPath());
        assertEquals("2025-03-01-preview", sent.getUrl().queryParameter("api-version"));
        assertEquals("azure-key-0123456789", sent.getHeaders().get("api-key"));
        assertEquals("prod-whisper", part(formParts(sent), "model").text());
    }

    @Test
    void fireworksWithAConfiguredBaseTranscribesAtThatBase() throws Exception {
        server.enqueue(WireFixtures.answer(200, Fixtures.text("transcription.json")));
        OpenAiProvider fireworks = new OpenAiProvider(ProviderSettings.of("fireworks").withApiKey("fw-key-0123456789")
                .withApiBase(server.url("/inference/v1").toString()), transport);

        fireworks.call(transcription("{\"model\":\"fireworks/whisper-v3-turbo\"}", audioUpload()),
                "whisper-v3-turbo");

        RecordedRequest sent = server.takeRequest();
        assertEquals("/inference/v1/audio/transcriptions", sent.getUrl().encodedPath());
        assertEquals("Bearer fw-key-0123456789", sent.getHeaders().get("Authorization"));
        assertEquals("whisper-v3-turbo", part(formParts(sent), "model").text());
    }

    private OpenAiProvider openAi() {
        return new OpenAiProvider(ProviderSettings.of("openai").withApiKey(KEY)
                .withApiBase(server.url("/v1").toString()), transport);
    }

    /**
     * The adapter for the tests whose upstream holds back part of the answer: a short idle timeout, well below the
     * gate's own, so that an adapter waiting for the whole body fails with a 504 instead of hanging the build.
     */
    private OpenAiProvider openAiWaitingAtMost(Duration idle) {
        return new OpenAiProvider(ProviderSettings.of("openai").withApiKey(KEY)
                .withApiBase(server.url("/v1").toString()).withStreamIdleTimeout(idle), transport);
    }

    /** A server the deployment declares itself (a vLLM, say) at {@code path} of the fake upstream. */
    private OpenAiProvider compatible(String name, String path) {
        return new OpenAiProvider(ProviderSettings.of(name).withApiKey("local-token-123456")
                .withApiBase(server.url(path).toString()), transport);
    }

    private static Exchange exchange(Operation operation, String body) {
        return WireFixtures.exchange(operation, body);
    }

    private static Exchange transcription(String body, Upload upload) {
        return exchange(Operation.TRANSCRIPTIONS, body).with(Upload.KEY, upload);
    }

    private static Upload audioUpload() {
        return Upload.of("meeting.mp3", "audio/mpeg", bytes(4_000, 99));
    }

    private static Response.Streamed streamed(Response response) {
        return assertInstanceOf(Response.Streamed.class, response);
    }

    /** An {@code audio/mpeg} answer holding {@code bytes}, with a content length as OpenAI sends it. */
    private static MockResponse.Builder audio(byte[] bytes) {
        return new MockResponse.Builder().setHeader("Content-Type", "audio/mpeg").body(new Buffer().write(bytes));
    }

    /** {@code size} bytes that look like nothing in particular, the same for the same seed. */
    private static byte[] bytes(int size, long seed) {
        byte[] out = new byte[size];
        new Random(seed).nextBytes(out);
        return out;
    }

    @SafeVarargs
    private static byte[] concat(List<Chunk>... lists) {
        Buffer all = new Buffer();
        for (List<Chunk> chunks : lists) {
            for (Chunk chunk : chunks) {
                all.write(chunk.data().bytes());
            }
        }
        return all.readByteArray();
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] out = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, out, first.length, second.length);
        return out;
    }

    /** One part of a {@code multipart/form-data} body as the upstream would read it. */
    private record FormPart(String name, Optional<String> filename, Optional<String> contentType, ByteString bytes) {
        String text() {
            return bytes.utf8();
        }
    }

    /** The parts of a form the adapter sent, read with OkHttp's own multipart reader. */
    private static List<FormPart> formParts(RecordedRequest sent) throws IOException {
        MediaType type = MediaType.get(sent.getHeaders().get("Content-Type"));
        assertTrue(type.toString().startsWith("multipart/form-data"), type.toString());
        List<FormPart> parts = new ArrayList<>();
        try (MultipartReader reader = new MultipartReader(new Buffer().write(sent.getBody()),
                type.parameter("boundary"))) {
            while (true) {
                try (MultipartReader.Part part = reader.nextPart()) {
                    if (part == null) {
                        return parts;
                    }
                    String disposition = part.headers().get("Content-Disposition");
                    parts.add(new FormPart(dispositionParameter(disposition, "name").orElseThrow(),
                            dispositionParameter(disposition, "filename"),
                            Optional.ofNullable(part.headers().get("Content-Type")),
                            part.body().readByteString()));
                }
            }
        }
    }

    private static Optional<String> dispositionParameter(String disposition, String name) {
        Matcher matcher = Pattern.compile("(?:^|;)\\s*" + name + "=\"([^\"]*)\"").matcher(disposition);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /** The only part called {@code name}. */
    private static FormPart part(List<FormPart> parts, String name) {
        List<FormPart> named = parts.stream().filter(p -> p.name().equals(name)).toList();
        assertEquals(1, named.size(), "parts named " + name);
        return named.getFirst();
    }
}
