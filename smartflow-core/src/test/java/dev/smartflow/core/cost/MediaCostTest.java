package dev.smartflow.core.cost;

import static dev.smartflow.core.testing.Json.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.smartflow.core.Pipeline;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.Upload;
import dev.smartflow.core.model.Cost;
import dev.smartflow.core.routing.RouteStage;
import dev.smartflow.core.testing.FakeProvider;
import dev.smartflow.core.testing.FakeResolver;
import dev.smartflow.core.testing.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Media calls priced per image, hour of audio, million characters and search, checked against hand-computed sums. */
class MediaCostTest {
    private static final Map<String, UnitPrice> UNITS = Map.of(
            "openai/dall-e-3", new UnitPrice(UnitPrice.Unit.IMAGE, 40_000),
            "openai/whisper-1", new UnitPrice(UnitPrice.Unit.AUDIO_HOUR, 360_000),
            "openai/tts-1", new UnitPrice(UnitPrice.Unit.MILLION_CHARACTERS, 15_000_000),
            "cohere/rerank-v3.5", new UnitPrice(UnitPrice.Unit.SEARCH, 2_000));
    private static final Map<String, TokenPrice> TOKENS = Map.of(
            "openai/gpt-image-1", TokenPrice.perMillion(5_000_000, 1_250_000, 40_000_000));
    private static final Pricing PRICING = new Pricing() {
        @Override
        public Optional<TokenPrice> price(String provider, String model) {
            return Optional.ofNullable(TOKENS.get(provider + "/" + model));
        }

        @Override
        public Optional<UnitPrice> unitPrice(String provider, String model) {
            return Optional.ofNullable(UNITS.get(provider + "/" + model));
        }
    };

    private final FakeProvider openai = new FakeProvider("openai");
    private final FakeProvider cohere = new FakeProvider("cohere");
    private final Pipeline pipeline = Pipeline.builder()
            .route(new RouteStage(new FakeResolver(openai, cohere)))
            .addAttemptStage(new CostStage(PRICING))
            .build();
    private final CostMeter meter = new CostMeter();

    private Response run(Operation operation, String singleQuotedBody) {
        return pipeline.execute(Exchange.of(operation, body(singleQuotedBody), Headers.EMPTY)
                .with(CostMeter.KEY, meter));
    }

    @Test
    void imagesArePricedPerImageTheAnswerHolds() {
        // given: two images at $0.04
        openai.replyJson(Json.q("{'created':1,'data':[{'url':'https://a/1.png'},{'url':'https://a/2.png'}]}"));

        // when
        Response response = run(Operation.IMAGES, "{'model':'dall-e-3','prompt':'a cat','n':2}");

        // then
        assertEquals(Optional.of("0.080000"), response.headers().get(CostStage.COST_USD));
        assertEquals(Optional.of(Cost.priced(80_000)), meter.cost());
    }

    @Test
    void anImageModelBilledByTheTokenIsPricedFromItsUsage() {
        // given: 50 input * $5 + 4,160 output * $40 per 1M = 250 + 166,400 micro-USD
        openai.replyJson(Json.q("{'created':1,'data':[{'b64_json':'aGk='}],'usage':{'input_tokens':50,"
                + "'output_tokens':4160,'total_tokens':4210}}"));

        // when
        Response response = run(Operation.IMAGES, "{'model':'gpt-image-1','prompt':'a cat'}");

        // then
        assertEquals(Optional.of(Cost.priced(166_650)), meter.cost());
        assertEquals(Optional.of("priced"), response.headers().get(CostStage.COST_STATUS));
    }

    @Test
    void transcriptionsArePricedByTheSecondsTheAnswerReports() {
        // given: 61.5 s at $0.36 an hour = 61,500 ms * 360,000 / 3,600,000 = 6,150 micro-USD
        openai.replyJson(Json.q("{'text':'hello','usage':{'type':'duration','seconds':61.5}}"));

        // when
        Response response = run(Operation.TRANSCRIPTIONS, "{'model':'whisper-1'}");

        // then
        assertEquals(Optional.of("0.006150"), response.headers().get(CostStage.COST_USD));
    }

    @Test
    void aVerboseTranscriptionIsPricedByItsDuration() {
        openai.replyJson(Json.q("{'task':'transcribe','language':'english','duration':8.47,'text':'hi'}"));

        run(Operation.TRANSCRIPTIONS, "{'model':'whisper-1','response_format':'verbose_json'}");

        // 8,470 ms * 360,000 / 3,600,000 = 847
        assertEquals(Optional.of(Cost.priced(847)), meter.cost());
    }

    @Test
    void aTextTranscriptionCannotTellItsDurationSoItIsFlaggedNotFree() {
        openai.reply(new Response.Complete(200, Headers.of("content-type", "text/plain"), Body.json("hello")));

        Response response = run(Operation.TRANSCRIPTIONS, "{'model':'whisper-1','response_format':'text'}");

        assertEquals(Optional.of("no_usage"), response.headers().get(CostStage.COST_STATUS));
        assertEquals(Optional.of(Cost.noUsage()), meter.cost());
    }

    @Test
    void speechIsPricedByTheCharactersOfItsInputBeforeTheFirstByte() {
        // given: 'héllo wörld' is 11 characters (not 13 bytes); 11 * $15 per 1M = 165 micro-USD
        openai.reply(Response.Streamed.bytes("audio/mpeg",
                ChunkStream.of(List.of(Chunk.data(Body.wrap(new byte[] {1, 2, 3}))))));

        // when
        Response response = run(Operation.SPEECH, "{'model':'tts-1','input':'héllo wörld','voice':'alloy'}");

        // then: the headers carry the cost although the audio is still to be read
        assertEquals(Optional.of("0.000165"), response.headers().get(CostStage.COST_USD));
        assertEquals(Optional.of(Cost.priced(165)), meter.cost());
        assertEquals(Optional.of("audio/mpeg"), response.headers().get("content-type"));
        ((Response.Streamed) response).chunks().close();
    }

    @Test
    void rerankIsPricedByTheSearchesTheProviderBilled() {
        cohere.replyJson(Json.q("{'results':[{'index':0,'relevance_score':0.9}],"
                + "'meta':{'billed_units':{'search_units':3}}}"));

        run(Operation.RERANK, "{'model':'cohere/rerank-v3.5','query':'q','documents':['a','b']}");

        assertEquals(Optional.of(Cost.priced(6_000)), meter.cost());
    }

    @Test
    void rerankWithoutBilledUnitsCountsOneSearchPerHundredDocuments() {
        StringBuilder documents = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            documents.append(i == 0 ? "" : ",").append("'d").append(i).append("'");
        }
        cohere.replyJson(Json.q("{'results':[{'index':0,'relevance_score':0.9}]}"));

        run(Operation.RERANK, "{'model':'cohere/rerank-v3.5','query':'q','documents':[" + documents + "]}");

        assertEquals(Optional.of(Cost.priced(4_000)), meter.cost(), "101 documents are two searches");
    }

    @Test
    void aMediaModelWithoutAnyPriceIsUnpriced() {
        openai.replyJson(Json.q("{'created':1,'data':[{'url':'u'}]}"));

        Response response = run(Operation.IMAGES, "{'model':'dall-e-9','prompt':'a cat'}");

        assertEquals(Optional.of("unpriced"), response.headers().get(CostStage.COST_STATUS));
    }

    @Test
    void worstCasesComeFromTheRequestAlone() {
        Exchange images = Exchange.of(Operation.IMAGES, body("{'model':'m','prompt':'p','n':3}"), Headers.EMPTY);
        Exchange oneImage = Exchange.of(Operation.IMAGES, body("{'model':'m','prompt':'p'}"), Headers.EMPTY);
        Exchange audio = Exchange.of(Operation.TRANSCRIPTIONS, body("{'model':'m'}"), Headers.EMPTY)
                .with(Upload.KEY, Upload.of("a.mp3", "audio/mpeg", new byte[2_500]));
        Exchange speech = Exchange.of(Operation.SPEECH, body("{'model':'m','input':'abc'}"), Headers.EMPTY);

        assertEquals(3, MediaUnits.worstCase(images));
        assertEquals(1, MediaUnits.worstCase(oneImage));
        assertEquals(3_000, MediaUnits.worstCase(audio), "2,500 bytes at 1,000 a second, rounded up: 3 s in ms");
        assertEquals(3, MediaUnits.worstCase(speech));
        assertEquals(OptionalLong.of(3), MediaUnits.actual(speech, Body.MAPPER.missingNode()));
    }

    @Test
    void unitPricesRoundHalfUpOnce() {
        UnitPrice perHour = new UnitPrice(UnitPrice.Unit.AUDIO_HOUR, 111_000);

        assertEquals(31, perHour.costMicros(1_000), "one second at $0.111 an hour is 30.83 micro-USD");
        assertEquals(111_000, perHour.costMicros(3_600_000));
        assertEquals(0, new UnitPrice(UnitPrice.Unit.MILLION_CHARACTERS, 15_000_000).costMicros(0));
        assertThrows(IllegalArgumentException.class, () -> perHour.costMicros(-1));
        assertThrows(IllegalArgumentException.class, () -> new UnitPrice(UnitPrice.Unit.IMAGE, -1));
    }
}
