package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponse;
import com.openai.models.audio.AudioModel;
import com.openai.models.audio.speech.SpeechCreateParams;
import com.openai.models.audio.transcriptions.TranscriptionCreateParams;
import com.openai.models.audio.transcriptions.TranscriptionCreateResponse;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The media endpoints over real HTTP: images, speech and transcriptions through the official OpenAI Java SDK, rerank
 * through a plain client, each priced, audited and held to a virtual key's budget like every other call.
 */
class MediaEndpointsTest extends GatewayTest {
    private static final String MASTER = "Bearer " + Gateway.MASTER;
    private static final MediaType MPEG = MediaType.get("audio/mpeg");
    OpenAIClient client;

    @BeforeEach
    void sdk() {
        client = OpenAIOkHttpClient.builder().baseUrl(gateway.proxy("/v1")).apiKey(Gateway.MASTER).maxRetries(0)
                .build();
    }

    @AfterEach
    void closeSdk() {
        client.close();
    }

    private static byte[] audio(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 17 + 3);
        }
        return bytes;
    }

    @Test
    void imagesAreGeneratedThroughTheSdk() throws Exception {
        ImagesResponse images = client.images().generate(ImageGenerateParams.builder().model("dall-e-3")
                .prompt("a grey cat").n(2).build());

        assertEquals(2, images.data().orElseThrow().size());
        assertEquals("https://images.example/1.png", images.data().orElseThrow().get(0).url().orElseThrow());
        RecordedRequest sent = upstream.server.takeRequest();
        assertEquals("/v1/images/generations", sent.getUrl().encodedPath());
        assertEquals("Bearer " + Gateway.UPSTREAM_KEY, sent.getHeaders().get("Authorization"));
    }

    @Test
    void imagesArePricedPerImage() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/v1/images/generations"),
                "{\"model\":\"dall-e-3\",\"prompt\":\"a grey cat\",\"n\":2}", "authorization", MASTER)) {
            assertEquals(200, response.code());
            assertEquals("0.080000", response.header("x-smartflow-cost-usd"), "two images at $0.04");
            assertEquals("openai", response.header("x-smartflow-provider"));
            assertEquals("dall-e-3", response.header("x-smartflow-model"));
        }
    }

    @Test
    void speechComesBackAsTheUpstreamsAudioBytes() throws Exception {
        try (HttpResponse response = client.audio().speech().create(SpeechCreateParams.builder().model("tts-1")
                .input("Hello there").voice("alloy").build())) {
            assertEquals(200, response.statusCode());
            assertEquals(List.of("audio/mpeg"), response.headers().values("content-type"));
            // 11 characters at $15 per million: 165 micro-USD, known before the first byte
            assertEquals(List.of("0.000165"), response.headers().values("x-smartflow-cost-usd"));
            try (InputStream body = response.body()) {
                assertArrayEquals(Upstream.SPEECH, body.readAllBytes());
            }
        }
    }

    @Test
    void aTranscriptionUploadsTheFileAndAnswersThroughTheSdk() throws Exception {
        Path file = data.resolve("meeting.mp3");
        byte[] audio = audio(700_000);
        Files.write(file, audio);

        TranscriptionCreateResponse answer = client.audio().transcriptions().create(TranscriptionCreateParams
                .builder().file(file).model(AudioModel.WHISPER_1).language("en").temperature(0.2).build());

        assertEquals("Hello from the recording.", answer.asTranscription().text());
        RecordedRequest sent = upstream.server.takeRequest();
        assertEquals("/v1/audio/transcriptions", sent.getUrl().encodedPath());
        String type = sent.getHeaders().get("Content-Type");
        assertTrue(type.startsWith("multipart/form-data"), type);
        byte[] body = sent.getBody().toByteArray();
        assertTrue(indexOf(body, audio) >= 0, "the audio arrives byte for byte");
        String text = new String(body, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("name=\"file\"; filename=\"meeting.mp3\""), "filename kept");
        assertTrue(text.contains("name=\"model\"") && text.contains("\r\n\r\nwhisper-1\r\n"), "model sent");
        assertTrue(text.contains("name=\"language\""), "language sent");
    }

    @Test
    void aTranscriptionIsPricedByTheSecondsOfAudio() throws Exception {
        try (Response response = transcribe(audio(2_000), "whisper-1", MASTER)) {
            assertEquals(200, response.code());
            // 61.5 s at $0.006 a minute
            assertEquals("0.006150", response.header("x-smartflow-cost-usd"));
            assertEquals("Hello from the recording.", Gateway.json(response).path("text").asText());
        }
    }

    @Test
    void spooledUploadsAreDeletedOnceTheAnswerIsWritten() throws Exception {
        try (Response response = transcribe(audio(1_200_000), "whisper-1", MASTER)) {
            assertEquals(200, response.code());
        }
        // the handler deletes the spool after the client has read the answer: poll, bounded
        List<Path> left = spooled();
        for (int i = 0; i < 100 && !left.isEmpty(); i++) {
            Thread.sleep(20);
            left = spooled();
        }
        assertEquals(List.of(), left);
    }

    @Test
    void deepgramModelsTranscribeThroughDeepgramsOwnApi() throws Exception {
        gateway.close();
        gateway = new Gateway(upstream, data, Map.of("DEEPGRAM_API_KEY", "dg-upstream-secret-0123",
                "DEEPGRAM_API_BASE", upstream.anthropicBase()));
        byte[] audio = audio(3_000);

        try (Response response = transcribe(audio, "deepgram/nova-2", MASTER)) {
            assertEquals(200, response.code());
            assertEquals("deepgram", response.header("x-smartflow-provider"));
            // 12.5 s at $0.0043 a minute ($0.258 an hour): 12,500 ms * 258,000 / 3,600,000 = 895.8 -> 896
            assertEquals("0.000896", response.header("x-smartflow-cost-usd"));
            assertEquals("Hello from Deepgram.", Gateway.json(response).path("text").asText());
        }
        RecordedRequest sent = upstream.server.takeRequest();
        assertEquals("/v1/listen", sent.getUrl().encodedPath());
        assertEquals("nova-2", sent.getUrl().queryParameter("model"));
        assertEquals("Token dg-upstream-secret-0123", sent.getHeaders().get("Authorization"));
        assertArrayEquals(audio, sent.getBody().toByteArray(), "the audio itself is the body");
    }

    @Test
    void uploadsLeftByACrashedProcessAreDeletedAtStart() throws Exception {
        gateway.close();
        Path leftover = Files.write(data.resolve("uploads").resolve("MultiPart123.tmp"), audio(1_000));

        gateway = new Gateway(upstream, data);

        assertFalse(Files.exists(leftover));
    }

    @Test
    void anAudioFileOverTheCapIs413AndNeverReachesTheUpstream() throws Exception {
        gateway.close();
        gateway = new Gateway(upstream, data, Map.of("SMARTFLOW_MAX_AUDIO_BYTES", "4096"));

        try (Response response = transcribe(audio(50_000), "whisper-1", MASTER)) {
            assertEquals(413, response.code());
            JsonNode error = Gateway.json(response).path("error");
            assertEquals("request_too_large", error.path("code").asText());
        }
        assertEquals(0, upstream.server.getRequestCount());
    }

    @Test
    void aTranscriptionThatIsNotAFormOrHasNoFileIs400() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/v1/audio/transcriptions"),
                "{\"model\":\"whisper-1\"}", "authorization", MASTER)) {
            assertEquals(400, response.code());
            assertEquals("file", Gateway.json(response).path("error").path("param").asText());
        }
        RequestBody form = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("model", "whisper-1").build();
        try (Response response = gateway.http.newCall(new Request.Builder()
                .url(gateway.proxy("/v1/audio/transcriptions")).header("authorization", MASTER).post(form).build())
                .execute()) {
            assertEquals(400, response.code());
            assertEquals("file", Gateway.json(response).path("error").path("param").asText());
        }
        assertEquals(0, upstream.server.getRequestCount());
    }

    @Test
    void aLongTextFieldIs400NamingTheFieldAndItsLimitNotTheAudioCap() throws Exception {
        // Jetty's own form limit used to refuse it first, and that was reported as an audio file too large
        RequestBody form = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("model", "whisper-1")
                .addFormDataPart("prompt", "x".repeat(2_000_000))
                .addFormDataPart("file", "clip.mp3", RequestBody.create(audio(1_000), MPEG))
                .build();
        try (Response response = gateway.http.newCall(new Request.Builder()
                .url(gateway.proxy("/v1/audio/transcriptions")).header("authorization", MASTER).post(form).build())
                .execute()) {
            assertEquals(400, response.code());
            JsonNode error = Gateway.json(response).path("error");
            assertEquals("prompt", error.path("param").asText());
            assertEquals("form field 'prompt' is longer than 65536 bytes", error.path("message").asText());
        }
        assertEquals(0, upstream.server.getRequestCount());
        assertTrue(spooled().isEmpty(), "the spooled field is deleted");
    }

    @Test
    void aFormOfTooManyPartsIs400() throws Exception {
        MultipartBody.Builder form = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("model", "whisper-1")
                .addFormDataPart("file", "clip.mp3", RequestBody.create(audio(1_000), MPEG));
        for (int i = 0; i < 40; i++) {
            form.addFormDataPart("extra_" + i, "x");
        }
        try (Response response = gateway.http.newCall(new Request.Builder()
                .url(gateway.proxy("/v1/audio/transcriptions")).header("authorization", MASTER).post(form.build())
                .build()).execute()) {
            assertEquals(400, response.code());
            assertEquals("the form has more than 32 parts",
                    Gateway.json(response).path("error").path("message").asText());
        }
        assertEquals(0, upstream.server.getRequestCount());
    }

    @Test
    void rerankPassesThroughAnOpenAiCompatibleUpstream() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/v1/rerank"), "{\"model\":\"openai/my-reranker\","
                + "\"query\":\"capital of France\",\"documents\":[\"Berlin\",\"Paris\"],\"top_n\":2}",
                "authorization", MASTER)) {
            assertEquals(200, response.code());
            JsonNode answer = Gateway.json(response);
            assertEquals(1, answer.path("results").path(0).path("index").asInt());
            assertEquals("openai", response.header("x-smartflow-provider"));
        }
        RecordedRequest sent = upstream.server.takeRequest();
        assertEquals("/v1/rerank", sent.getUrl().encodedPath());
        assertTrue(sent.getBody().utf8().contains("\"model\":\"my-reranker\""), "routing prefix stripped");
    }

    @Test
    void everyMediaCallIsAudited() throws Exception {
        try (Response response = transcribe(audio(500), "whisper-1", MASTER)) {
            assertEquals(200, response.code());
        }
        try (Response response = gateway.post(gateway.proxy("/v1/audio/speech"),
                "{\"model\":\"tts-1\",\"input\":\"hi\",\"voice\":\"alloy\"}", "authorization", MASTER)) {
            response.body().bytes();
        }

        Audits.await(() -> Audits.entries(gateway, "").size() >= 2, "both calls are logged");
        Map<String, String> routes = Audits.entries(gateway, "").values().stream().collect(
                java.util.stream.Collectors.toMap(e -> e.path("route").asText(), e -> e.path("cost_usd").decimalValue().stripTrailingZeros().toPlainString()));
        // 61.5 s of whisper and 2 characters of tts-1
        assertEquals(Map.of("/v1/audio/transcriptions", "0.00615", "/v1/audio/speech", "0.00003"), routes);
    }

    @Test
    void mediaCallsNeedAKey() throws Exception {
        try (Response response = gateway.post(gateway.proxy("/v1/audio/speech"),
                "{\"model\":\"tts-1\",\"input\":\"hi\",\"voice\":\"alloy\"}")) {
            assertEquals(401, response.code());
        }
        try (Response response = transcribe(audio(100), "whisper-1", "Bearer sk-wrong")) {
            assertEquals(401, response.code());
        }
        assertEquals(0, upstream.server.getRequestCount());
    }

    @Test
    void aTranscriptionWithoutAnyKeyIsRefusedBeforeItsUploadIsRead() throws Exception {
        // a cap the upload exceeds: were the form read first, the answer would be its 413
        gateway.close();
        gateway = new Gateway(upstream, data, Map.of("SMARTFLOW_MAX_AUDIO_BYTES", "4096"));
        RequestBody form = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("model", "whisper-1")
                .addFormDataPart("file", "clip.mp3", RequestBody.create(audio(600_000), MPEG))
                .build();

        try (Response response = gateway.http.newCall(new Request.Builder()
                .url(gateway.proxy("/v1/audio/transcriptions")).header("x-request-id", "anon-1").post(form).build())
                .execute()) {
            assertEquals(401, response.code());
        }

        Audits.await(() -> Audits.entries(gateway, "").containsKey("anon-1"), "the refusal is audited");
        assertEquals(0, upstream.server.getRequestCount());
    }

    @Test
    void aVirtualKeysBudgetHoldsMediaCallsToo() throws Exception {
        // given: $0.05 covers one $0.04 image, not two
        String token;
        try (Response created = gateway.post(gateway.url(Service.MANAGEMENT, "/api/enterprise/vkeys"),
                "{\"name\":\"art\",\"owner_id\":\"team-a\",\"budget_usd\":0.05}", "authorization", MASTER)) {
            assertEquals(201, created.code());
            token = Gateway.json(created).path("token").asText();
        }

        // when
        try (Response response = gateway.post(gateway.proxy("/v1/images/generations"),
                "{\"model\":\"dall-e-3\",\"prompt\":\"two cats\",\"n\":2}", "authorization", "Bearer " + token)) {
            // then
            assertEquals(429, response.code());
            assertEquals("true", response.header("X-Smartflow-Budget-Exceeded"));
            assertEquals("budget_exceeded", Gateway.json(response).path("error").path("type").asText());
        }
        assertEquals(0, upstream.server.getRequestCount());
        try (Response response = transcribe(audio(100), "whisper-1", "Bearer " + token)) {
            assertEquals(200, response.code(), "a short recording still fits");
        }
        assertFalse(upstream.server.getRequestCount() == 0);
    }

    private List<Path> spooled() throws IOException {
        try (Stream<Path> files = Files.list(data.resolve("uploads"))) {
            return files.toList();
        }
    }

    private Response transcribe(byte[] audio, String model, String authorization) throws IOException {
        RequestBody form = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("model", model)
                .addFormDataPart("file", "clip.mp3", RequestBody.create(audio, MPEG))
                .build();
        return gateway.http.newCall(new Request.Builder().url(gateway.proxy("/v1/audio/transcriptions"))
                .header("authorization", authorization).post(form).build()).execute();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
