package dev.smartflow.core.cost;

import static dev.smartflow.core.testing.Json.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.Pipeline;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.model.Cost;
import dev.smartflow.core.routing.RouteStage;
import dev.smartflow.core.testing.FakeProvider;
import dev.smartflow.core.testing.FakeResolver;
import dev.smartflow.core.testing.FedChunkStream;
import dev.smartflow.core.testing.Json;
import dev.smartflow.core.testing.RecordingChain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CostStageTest {
    /** A price list as the catalog would give it: per provider, per model. */
    private static final Map<String, TokenPrice> PRICES = Map.of(
            "openai/gpt-4o-mini", TokenPrice.perMillion(150_000, 75_000, 600_000),
            "openai/gpt-4o-mini-2024-07-18", TokenPrice.perMillion(150_000, 75_000, 600_000),
            "openai/text-embedding-3-small", TokenPrice.perMillion(20_000, 20_000, 0),
            "anthropic/claude-sonnet-4-5", TokenPrice.perMillion(3_000_000, 300_000, 15_000_000));
    private static final Pricing PRICING = (provider, model) -> Optional.ofNullable(PRICES.get(provider + "/" + model));

    private final FakeProvider openai = new FakeProvider("openai");
    private final FakeProvider anthropic = new FakeProvider("anthropic");
    private final Pipeline pipeline = Pipeline.builder()
            .route(new RouteStage(new FakeResolver(openai, anthropic)))
            .addAttemptStage(new CostStage(PRICING))
            .build();
    private final CostMeter meter = new CostMeter();

    private Exchange metered(Exchange exchange) {
        return exchange.with(CostMeter.KEY, meter);
    }

    @Test
    void completeAnswerCarriesItsCostInHeadersAndInTheMeter() {
        // given: 9 prompt, 3 completion on gpt-4o-mini = 3.15 micro-USD
        openai.reply(Json.completion("hi", 9, 3));

        // when
        Response response = pipeline.execute(metered(Json.chat("gpt-4o-mini")));

        // then
        assertEquals(Optional.of("0.000003"), response.headers().get(CostStage.COST_USD));
        assertEquals(Optional.of("priced"), response.headers().get(CostStage.COST_STATUS));
        assertEquals(Optional.of(Cost.priced(3)), meter.cost());
    }

    @Test
    void cachedPromptTokensAreBilledAtTheCachedPrice() {
        // given: 2,000 uncached * 0.15 + 8,000 cached * 0.075 + 1,000 * 0.60 = 300 + 600 + 600 = 1,500 micro-USD
        openai.replyJson(Json.q("{'model':'gpt-4o-mini','choices':[],'usage':{'prompt_tokens':10000,"
                + "'completion_tokens':1000,'total_tokens':11000,'prompt_tokens_details':{'cached_tokens':8000}}}"));

        // when
        Response response = pipeline.execute(Json.chat("gpt-4o-mini"));

        // then
        assertEquals(Optional.of("0.001500"), response.headers().get(CostStage.COST_USD));
    }

    @Test
    void unpricedModelIsFlaggedNeverFree() {
        // given
        openai.reply(Json.completion("hi", 9, 3));

        // when
        Response response = pipeline.execute(metered(Json.chat("my-finetune")));

        // then
        assertEquals(Optional.of("unknown"), response.headers().get(CostStage.COST_USD));
        assertEquals(Optional.of("unpriced"), response.headers().get(CostStage.COST_STATUS));
        assertEquals(Optional.of(Cost.unpriced()), meter.cost());
    }

    @Test
    void answerWithoutUsageIsFlaggedAsSuch() {
        // given
        openai.replyJson(Json.q("{'model':'gpt-4o-mini','choices':[]}"));

        // when
        Response response = pipeline.execute(Json.chat("gpt-4o-mini"));

        // then
        assertEquals(Optional.of("unknown"), response.headers().get(CostStage.COST_USD));
        assertEquals(Optional.of("no_usage"), response.headers().get(CostStage.COST_STATUS));
    }

    @Test
    void anUnpricedAliasIsPricedByTheModelTheAnswerNames() {
        // given: an Azure-style deployment name, answered as a dated model the price list knows
        openai.replyJson(Json.q("{'model':'gpt-4o-mini-2024-07-18','choices':[],'usage':{'prompt_tokens':1000,"
                + "'completion_tokens':0,'total_tokens':1000}}"));

        // when
        Response response = pipeline.execute(Json.chat("my-deployment"));

        // then: 1,000 * 0.15 = 150 micro-USD
        assertEquals(Optional.of("0.000150"), response.headers().get(CostStage.COST_USD));
    }

    @Test
    void embeddingsArePricedByPromptTokens() {
        // given: 120,000 tokens * $0.02 / 1M = 2,400 micro-USD
        openai.replyJson(Json.q("{'object':'list','data':[],'model':'text-embedding-3-small',"
                + "'usage':{'prompt_tokens':120000,'total_tokens':120000}}"));
        Exchange exchange = Exchange.of(Operation.EMBEDDINGS,
                body("{'model':'text-embedding-3-small','input':'hello'}"), Headers.EMPTY);

        // when
        Response response = pipeline.execute(exchange);

        // then
        assertEquals(Optional.of("0.002400"), response.headers().get(CostStage.COST_USD));
    }

    @Test
    void anthropicMessagesUsageIsRead() {
        // given: 1,000 input + 4,000 cache read + 1,000 cache write, 200 output on Sonnet 4.5:
        // 2,000 * 3.00 + 4,000 * 0.30 + 200 * 15.00 = 6,000 + 1,200 + 3,000 = 10,200 micro-USD
        anthropic.replyJson(Json.q("{'type':'message','model':'claude-sonnet-4-5-20250929','content':[],"
                + "'usage':{'input_tokens':1000,'cache_read_input_tokens':4000,'cache_creation_input_tokens':1000,"
                + "'output_tokens':200}}"));
        Exchange exchange = Exchange.of(Operation.ANTHROPIC_MESSAGES,
                body("{'model':'anthropic/claude-sonnet-4-5','max_tokens':10,'messages':[]}"), Headers.EMPTY);

        // when
        Response response = pipeline.execute(exchange);

        // then
        assertEquals(Optional.of("0.010200"), response.headers().get(CostStage.COST_USD));
    }

    /** A streamed chat exchange for gpt-4o-mini, asking for the usage chunk or not. */
    private static Exchange streamedChat(boolean includeUsage) {
        return Exchange.of(Operation.CHAT, body("{'model':'gpt-4o-mini','stream':true,"
                + (includeUsage ? "'stream_options':{'include_usage':true}," : "")
                + "'messages':[{'role':'user','content':'hi'}]}"), Headers.EMPTY);
    }

    private static Chunk usageChunk(int prompt, int completion) {
        return Chunk.data(body("{'object':'chat.completion.chunk','model':'gpt-4o-mini','choices':[],"
                + "'usage':{'prompt_tokens':" + prompt + ",'completion_tokens':" + completion + ",'total_tokens':"
                + (prompt + completion) + "}}"));
    }

    @Test
    void streamCostIsComputedWhenTheUsageChunkPassesWithoutBuffering() {
        // given: a stream the test feeds as the upstream sends it
        FedChunkStream upstream = new FedChunkStream().feed(Json.delta("Hel"));
        openai.reply(new Response.Streamed(200, Headers.EMPTY, upstream));

        // when
        Response.Streamed response = (Response.Streamed) pipeline.execute(metered(streamedChat(true)));

        // then: the first chunk is readable before the usage chunk exists, and no cost header was invented
        assertTrue(response.chunks().hasNext());
        assertEquals(Json.delta("Hel"), response.chunks().next());
        assertEquals(Optional.empty(), response.headers().get(CostStage.COST_USD));
        assertEquals(Optional.empty(), meter.cost());

        // when the usage chunk arrives and the stream ends: 1,000 * 0.15 + 500 * 0.60 = 450 micro-USD
        upstream.feed(usageChunk(1_000, 500)).end();
        assertTrue(response.chunks().hasNext());
        assertEquals(usageChunk(1_000, 500), response.chunks().next(), "the caller asked for it");
        assertEquals(Optional.empty(), meter.cost(), "known only at the end");
        assertFalse(response.chunks().hasNext());

        // then
        assertEquals(Optional.of(Cost.priced(450)), meter.cost());
    }

    @Test
    void usageChunkTheCallerDidNotAskForIsPricedButNotPassedOn() {
        // given: the provider asked its upstream for usage on the caller's behalf
        FedChunkStream upstream = new FedChunkStream()
                .feed(Json.delta("Hel"))
                .feed(usageChunk(1_000, 500))
                .end();
        openai.reply(new Response.Streamed(200, Headers.EMPTY, upstream));

        // when
        Response.Streamed response = (Response.Streamed) pipeline.execute(metered(streamedChat(false)));
        List<Chunk> seen = new ArrayList<>();
        response.chunks().forEachRemaining(seen::add);

        // then: the caller sees only the text, and the stream is priced all the same
        assertEquals(List.of(Json.delta("Hel")), seen);
        assertEquals(Optional.of(Cost.priced(450)), meter.cost());
    }

    @Test
    void aChunkWithChoicesAndUsageReachesTheCallerEvenUnasked() {
        // given: a vendor that puts usage on its last choice chunk (Mistral does)
        Chunk last = Chunk.data(body("{'object':'chat.completion.chunk','model':'gpt-4o-mini','choices':[{'index':0,"
                + "'delta':{},'finish_reason':'stop'}],'usage':{'prompt_tokens':1000,'completion_tokens':500,"
                + "'total_tokens':1500}}"));
        openai.reply(new Response.Streamed(200, Headers.EMPTY, new FedChunkStream().feed(last).end()));

        // when
        Response.Streamed response = (Response.Streamed) pipeline.execute(metered(streamedChat(false)));
        List<Chunk> seen = new ArrayList<>();
        response.chunks().forEachRemaining(seen::add);

        // then
        assertEquals(List.of(last), seen);
        assertEquals(Optional.of(Cost.priced(450)), meter.cost());
    }

    @Test
    void chunksWithNullUsageAreNotMistakenForUsage() {
        // given: OpenAI's chunks when usage was asked for, "usage":null on all but the last
        Chunk text = Chunk.data(body("{'object':'chat.completion.chunk','model':'gpt-4o-mini','choices':[{'index':0,"
                + "'delta':{'content':'hi'}}],'usage':null}"));
        openai.reply(new Response.Streamed(200, Headers.EMPTY, new FedChunkStream().feed(text).end()));

        // when
        Response.Streamed response = (Response.Streamed) pipeline.execute(metered(streamedChat(false)));
        List<Chunk> seen = new ArrayList<>();
        response.chunks().forEachRemaining(seen::add);

        // then
        assertEquals(List.of(text), seen);
        assertEquals(Optional.of(Cost.noUsage()), meter.cost());
    }

    @Test
    void countTokensIsFreeSoNeitherPricedNorMetered() {
        // given: Anthropic's count_tokens answer, which a priced model serves
        anthropic.replyJson(Json.q("{'input_tokens':2095}"));
        Exchange exchange = Exchange.of(Operation.ANTHROPIC_COUNT_TOKENS,
                body("{'model':'anthropic/claude-sonnet-4-5','messages':[{'role':'user','content':'hi'}]}"),
                Headers.EMPTY);

        // when
        Response response = pipeline.execute(metered(exchange));

        // then
        assertEquals(Optional.empty(), response.headers().get(CostStage.COST_USD));
        assertEquals(Optional.empty(), response.headers().get(CostStage.COST_STATUS));
        assertEquals(Optional.empty(), meter.cost());
    }

    @Test
    void streamClosedEarlyReportsWhatItKnows() {
        // given
        FedChunkStream upstream = new FedChunkStream().feed(Json.delta("Hel"));
        openai.reply(new Response.Streamed(200, Headers.EMPTY, upstream));
        Response.Streamed response = (Response.Streamed) pipeline.execute(metered(Json.chat("gpt-4o-mini")));

        // when
        response.chunks().next();
        response.chunks().close();

        // then
        assertTrue(upstream.closed());
        assertEquals(Optional.of(Cost.noUsage()), meter.cost());
    }

    @Test
    void anthropicStreamUsageIsAddedUpAcrossEvents() {
        // given: message_start carries the input, message_delta the cumulative output
        FedChunkStream upstream = new FedChunkStream()
                .feed(new Chunk("message_start", body("{'type':'message_start','message':{'model':"
                        + "'claude-sonnet-4-5','usage':{'input_tokens':1000,'output_tokens':1}}}")))
                .feed(new Chunk("content_block_delta", body("{'type':'content_block_delta','index':0,"
                        + "'delta':{'type':'text_delta','text':'hi'}}")))
                .feed(new Chunk("message_delta", body("{'type':'message_delta','delta':{'stop_reason':'end_turn'},"
                        + "'usage':{'output_tokens':100}}")))
                .feed(new Chunk("message_stop", body("{'type':'message_stop'}")))
                .end();
        anthropic.reply(new Response.Streamed(200, Headers.EMPTY, upstream));
        Exchange exchange = Exchange.of(Operation.ANTHROPIC_MESSAGES,
                body("{'model':'anthropic/claude-sonnet-4-5','stream':true,'messages':[]}"), Headers.EMPTY);

        // when
        Response.Streamed response = (Response.Streamed) pipeline.execute(metered(exchange));
        response.chunks().forEachRemaining(chunk -> { });

        // then: 1,000 * 3.00 + 100 * 15.00 = 4,500 micro-USD
        assertFalse(response.chunks().hasNext());
        assertEquals(Optional.of(Cost.priced(4_500)), meter.cost());
    }

    @Test
    void streamWithoutAMeterIsPassedThroughUntouched() {
        // given
        FedChunkStream upstream = new FedChunkStream().end();
        Response.Streamed answer = new Response.Streamed(200, Headers.EMPTY, upstream);

        // when: the cost stage alone (the route stage around it wraps every stream for its own bookkeeping)
        Response.Streamed response = (Response.Streamed) new CostStage(PRICING).handle(Json.chat("gpt-4o-mini"),
                new RecordingChain(exchange -> answer));

        // then
        assertTrue(response.chunks() == upstream);
    }

    @Test
    void pricingFailureNeverFailsTheCall() {
        // given
        Pipeline failing = Pipeline.builder()
                .route(new RouteStage(new FakeResolver(openai)))
                .addAttemptStage(new CostStage((provider, model) -> {
                    throw new IllegalStateException("price list unavailable");
                }))
                .build();
        openai.reply(Json.completion("hi", 9, 3));

        // when
        Response response = failing.execute(Json.chat("gpt-4o-mini"));

        // then
        assertEquals(200, response.status());
        assertEquals(Optional.of("unpriced"), response.headers().get(CostStage.COST_STATUS));
    }
}
