package dev.smartflow.core;

import static dev.smartflow.core.testing.Json.q;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.cost.TokenPrice;
import dev.smartflow.core.cost.UnitPrice;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.Upload;
import dev.smartflow.core.model.ImageRequest;
import dev.smartflow.core.model.ImageResponse;
import dev.smartflow.core.model.RerankRequest;
import dev.smartflow.core.model.RerankResponse;
import dev.smartflow.core.model.SpeechAudio;
import dev.smartflow.core.model.SpeechRequest;
import dev.smartflow.core.model.TranscriptionRequest;
import dev.smartflow.core.model.TranscriptionResponse;
import dev.smartflow.core.testing.FakeProvider;
import dev.smartflow.core.testing.FakeResolver;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The in-process media API: each call goes through the pipeline as the proxy's would, typed on both ends. */
class MediaApiTest {
    private static final Pricing PRICES = new Pricing() {
        @Override
        public Optional<TokenPrice> price(String provider, String model) {
            return Optional.empty();
        }

        @Override
        public Optional<UnitPrice> unitPrice(String provider, String model) {
            return model.equals("tts-1") ? Optional.of(new UnitPrice(UnitPrice.Unit.MILLION_CHARACTERS, 15_000_000))
                    : Optional.empty();
        }
    };

    private final FakeProvider openai = new FakeProvider("openai");
    private final Smartflow smartflow = Smartflow.builder().resolver(new FakeResolver(openai)).pricing(PRICES)
            .build();

    @Test
    void imagesAreGeneratedAndTheirUrlsRead() {
        openai.replyJson(q("{'created':1,'data':[{'url':'https://a/1.png'},{'url':'https://a/2.png'}]}"));

        ImageResponse images = smartflow.images(ImageRequest.of("dall-e-3", "a cat").withCount(2));

        assertEquals(List.of("https://a/1.png", "https://a/2.png"), images.urls());
        assertEquals(Operation.IMAGES, openai.onlyCall().exchange().operation());
        assertEquals(2, openai.onlyCall().exchange().body().json().path("n").asInt());
        assertEquals(Optional.of("openai"), images.headers().get("x-smartflow-provider"));
    }

    @Test
    void rerankResultsComeBackInTheProvidersOrder() {
        openai.replyJson(q("{'results':[{'index':1,'relevance_score':0.9},{'index':0,'relevance_score':0.1}]}"));

        RerankResponse ranked = smartflow.rerank(RerankRequest.of("openai/reranker", "capital of France",
                List.of("Berlin", "Paris")).withTopN(2));

        assertEquals(List.of(new RerankResponse.Ranked(1, 0.9), new RerankResponse.Ranked(0, 0.1)),
                ranked.results());
    }

    @Test
    void speechIsReadAsAStreamOfTheProvidersBytes() throws IOException {
        byte[] first = {1, 2, 3};
        byte[] second = {4, 5};
        openai.reply(Response.Streamed.bytes("audio/mpeg", ChunkStream.of(List.of(Chunk.data(Body.wrap(first)),
                Chunk.data(Body.wrap(second))))));

        try (SpeechAudio audio = smartflow.speech(SpeechRequest.of("tts-1", "hello", "alloy").withFormat("mp3"));
             InputStream in = audio.stream()) {
            assertEquals("audio/mpeg", audio.contentType());
            assertEquals(Optional.of("0.000075"), audio.costUsd(), "5 characters at $15 per million");
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, in.readAllBytes());
        }
    }

    @Test
    void aTranscriptionCarriesItsAudioBesideTheBody() {
        Upload audio = Upload.of("clip.wav", "audio/wav", new byte[] {9, 9});
        openai.replyJson(q("{'text':'hello there'}"));

        TranscriptionResponse text = smartflow.transcribe(TranscriptionRequest.of("whisper-1", audio)
                .withField("language", "en"));

        assertEquals("hello there", text.text());
        assertSame(audio, openai.onlyCall().exchange().get(Upload.KEY).orElseThrow());
        assertEquals("en", openai.onlyCall().exchange().body().json().path("language").asText());
    }

    @Test
    void aPlainTextTranscriptIsReadWhole() {
        openai.reply(new Response.Complete(200, Headers.of("content-type", "text/plain"), Body.json("hello\n")));

        TranscriptionResponse text = smartflow.transcribe(TranscriptionRequest.of("whisper-1",
                Upload.of("clip.wav", "audio/wav", new byte[] {1})).withField("response_format", "text"));

        assertEquals("hello\n", text.text());
    }

    @Test
    void badMediaRequestsAreRefusedBeforeTheProvider() {
        InvalidRequest noPrompt = assertThrows(InvalidRequest.class,
                () -> smartflow.images(ImageRequest.fromJson("{\"model\":\"dall-e-3\"}")));

        assertEquals(Optional.of("prompt"), noPrompt.param());
        assertTrue(openai.calls().isEmpty());
    }
}
