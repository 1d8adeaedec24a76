package dev.smartflow.core.budget;

import static dev.smartflow.core.testing.Json.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.Pipeline;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.cost.CostStage;
import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.cost.TokenPrice;
import dev.smartflow.core.cost.UnitPrice;
import dev.smartflow.core.error.BudgetExceeded;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.Upload;
import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.model.Cost;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.routing.RouteStage;
import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.BudgetState;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.core.testing.FakeProvider;
import dev.smartflow.core.testing.FakeResolver;
import dev.smartflow.core.testing.FakeTicker;
import dev.smartflow.core.testing.FedChunkStream;
import dev.smartflow.core.testing.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BudgetStageTest {
    /** 1 micro-USD per prompt token, 2 per completion token. */
    private static final Pricing PRICING = (provider, model) -> model.equals("m")
            ? Optional.of(TokenPrice.perMillion(1_000_000, 1_000_000, 2_000_000)) : Optional.empty();
    private static final int MAX_TOKENS = 10;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-23T10:00:00Z"));
    private final InstantSource clock = now::get;
    private final FakeTicker ticker = new FakeTicker();
    private final InMemorySharedState state = new InMemorySharedState(ticker, Runnable::run);
    private final KeyStore store = new InMemoryDatabase().keys();
    private final Budgets budgets = new Budgets(state, store, clock);
    private final FakeProvider openai = new FakeProvider("openai");
    private final FakeResolver resolver = new FakeResolver(openai);
    private final BudgetStage stage = new BudgetStage(budgets, resolver, PRICING);
    private final Pipeline pipeline = Pipeline.builder()
            .addStage(stage)
            .route(new RouteStage(resolver))
            .addAttemptStage(new CostStage(PRICING))
            .build();

    private static VirtualKey key(long budgetMicros, BudgetPeriod period) {
        return VirtualKey.builder(KeyId.of("key_1"), "ci", "team-a", "hash", Instant.parse("2026-01-01T00:00:00Z"))
                .budget(budgetMicros, period).build();
    }

    private static Exchange call(VirtualKey key, boolean stream) {
        Exchange exchange = Exchange.of(Operation.CHAT, body("{'model':'m','max_tokens':" + MAX_TOKENS
                        + (stream ? ",'stream':true" : "") + ",'messages':[{'role':'user','content':'hello there'}]}"),
                Headers.EMPTY);
        return exchange.withPrincipal(Principal.of(key)).with(CostMeter.KEY, new CostMeter());
    }

    private long worstCase(VirtualKey key) {
        return stage.worstCaseMicros(call(key, false));
    }

    private static long promptTokens(Exchange exchange) {
        return BudgetStage.promptTokens(exchange);
    }

    private BudgetState budget(VirtualKey key) {
        return state.budget(Budgets.budgetKey(key, budgets.periodKey(key)));
    }

    @Test
    void worstCaseIsThePromptEstimateAtTheInputPricePlusMaxTokensAtTheOutputPrice() {
        VirtualKey key = key(1_000_000, BudgetPeriod.MONTHLY);
        Exchange exchange = call(key, false);

        assertEquals((exchange.body().length() + 3) / 4 + MAX_TOKENS * 2L, stage.worstCaseMicros(exchange));
    }

    /** Media prices for the media tests: images $0.04 each, whisper $0.36 an hour, speech $15 per 1M characters. */
    private static final Pricing MEDIA = new Pricing() {
        @Override
        public Optional<TokenPrice> price(String provider, String model) {
            return Optional.empty();
        }

        @Override
        public Optional<UnitPrice> unitPrice(String provider, String model) {
            return Optional.ofNullable(switch (model) {
                case "img" -> new UnitPrice(UnitPrice.Unit.IMAGE, 40_000);
                case "stt" -> new UnitPrice(UnitPrice.Unit.AUDIO_HOUR, 360_000);
                case "tts" -> new UnitPrice(UnitPrice.Unit.MILLION_CHARACTERS, 15_000_000);
                default -> null;
            });
        }
    };

    private final BudgetStage mediaStage = new BudgetStage(budgets, resolver, MEDIA);
    private final Pipeline media = Pipeline.builder()
            .addStage(mediaStage)
            .route(new RouteStage(resolver))
            .addAttemptStage(new CostStage(MEDIA))
            .build();

    private static Exchange mediaCall(VirtualKey key, Operation operation, String singleQuotedBody) {
        return Exchange.of(operation, body(singleQuotedBody), Headers.EMPTY).withPrincipal(Principal.of(key))
                .with(CostMeter.KEY, new CostMeter());
    }

    @Test
    void imagesHoldTheirCountAtThePerImagePriceAndAreRefusedBeforeTheProvider() {
        VirtualKey key = key(100_000, BudgetPeriod.MONTHLY);
        Exchange three = mediaCall(key, Operation.IMAGES, "{'model':'img','prompt':'a cat','n':3}");

        assertEquals(120_000, mediaStage.worstCaseMicros(three));
        assertThrows(BudgetExceeded.class, () -> media.execute(three));
        assertTrue(openai.calls().isEmpty());
        assertEquals(BudgetState.EMPTY, budget(key));
    }

    @Test
    void speechSettlesAtItsExactCharacterPrice() {
        VirtualKey key = key(1_000_000, BudgetPeriod.MONTHLY);
        openai.reply(Response.Streamed.bytes("audio/mpeg",
                ChunkStream.of(List.of(Chunk.data(Body.wrap(new byte[] {7}))))));

        Response response = media.execute(mediaCall(key, Operation.SPEECH,
                "{'model':'tts','input':'twenty characters!!','voice':'alloy'}"));
        try (ChunkStream chunks = ((Response.Streamed) response).chunks()) {
            while (chunks.hasNext()) {
                chunks.next();
            }
        }

        // 19 characters * $15 per 1M = 285 micro-USD
        assertEquals(new BudgetState(285, 0), budget(key));
    }

    @Test
    void transcriptionHoldsTheUploadsLongestDurationAndSettlesWhatTheAnswerReports() {
        VirtualKey key = key(1_000_000, BudgetPeriod.MONTHLY);
        Exchange audio = mediaCall(key, Operation.TRANSCRIPTIONS, "{'model':'stt'}")
                .with(Upload.KEY, Upload.of("a.mp3", "audio/mpeg", new byte[59_500]));
        openai.replyJson(Json.q("{'text':'hi','usage':{'type':'duration','seconds':10}}"));

        // 60 s held (59,500 bytes at 1,000 a second, rounded up) = 6,000; 10 s spent = 1,000
        assertEquals(6_000, mediaStage.worstCaseMicros(audio));
        media.execute(audio);
        assertEquals(new BudgetState(1_000, 0), budget(key));
    }

    @Test
    void callReservesTheWorstCaseThenSettlesTheExactCost() {
        // given: 3 prompt + 5 completion tokens = 3 + 10 micro-USD
        VirtualKey key = key(1_000_000, BudgetPeriod.MONTHLY);
        openai.reply(Json.completion("hi", 3, 5));

        // when
        Response response = pipeline.execute(call(key, false));

        // then
        assertEquals(200, response.status());
        assertEquals(new BudgetState(13, 0), budget(key));
        budgets.flush(); // durable spend is written behind the request
        assertEquals(13, store.spend(key.id(), "2026-11"));
    }

    @Test
    void providerFailureReleasesTheReservation() {
        VirtualKey key = key(1_000_000, BudgetPeriod.MONTHLY);
        openai.fail(new IllegalStateException("upstream down"));

        assertThrows(IllegalStateException.class, () -> pipeline.execute(call(key, false)));

        assertEquals(BudgetState.EMPTY, budget(key));
        budgets.flush(); // durable spend is written behind the request
        assertEquals(0, store.spend(key.id(), "2026-11"));
    }

    @Test
    void aFailureAfterTheProviderAnsweredSettlesWhatTheAnswerCost() {
        // given: a stage on the way out fails after the provider answered (3 + 5 tokens = 13 micro-USD)
        VirtualKey key = key(1_000_000, BudgetPeriod.MONTHLY);
        openai.reply(Json.completion("hi", 3, 5));
        Pipeline failingOnTheWayOut = Pipeline.builder()
                .addStage(stage)
                .addStage((exchange, chain) -> {
                    chain.proceed(exchange);
                    throw new IllegalArgumentException("header value must not contain a line break");
                })
                .route(new RouteStage(resolver))
                .addAttemptStage(new CostStage(PRICING))
                .build();

        // when
        assertThrows(IllegalArgumentException.class, () -> failingOnTheWayOut.execute(call(key, false)));

        // then: the paid call counts
        assertEquals(new BudgetState(13, 0), budget(key));
    }

    @Test
    void everyOutputMultiplierCountsInTheWorstCase() {
        VirtualKey key = key(1_000_000, BudgetPeriod.MONTHLY);
        Exchange one = call(key, false);
        long prompt = promptTokens(one);
        Exchange hundred = Exchange.of(Operation.CHAT, body("{'model':'m','max_tokens':" + MAX_TOKENS
                + ",'n':100,'messages':[{'role':'user','content':'hello there'}]}"), Headers.EMPTY);
        Exchange bestOf = Exchange.of(Operation.COMPLETIONS, body("{'model':'m','max_tokens':" + MAX_TOKENS
                + ",'n':2,'best_of':7,'prompt':'hello there'}"), Headers.EMPTY);

        // 1 micro-USD per prompt token, 2 per completion token; prompt once, output per choice generated
        assertEquals(promptTokens(hundred) + 100L * MAX_TOKENS * 2, stage.worstCaseMicros(hundred));
        assertEquals(promptTokens(bestOf) + 7L * MAX_TOKENS * 2, stage.worstCaseMicros(bestOf));
        assertEquals(prompt + MAX_TOKENS * 2L, stage.worstCaseMicros(one));
    }

    @Test
    void aCallWithManyChoicesCannotOverspendTheBudget() {
        // given: room for one choice of MAX_TOKENS, not for n = 100 of them
        VirtualKey key = key(worstCase(key(1, BudgetPeriod.MONTHLY)) * 10, BudgetPeriod.MONTHLY);
        Exchange hundred = Exchange.of(Operation.CHAT, body("{'model':'m','max_tokens':" + MAX_TOKENS
                        + ",'n':100,'messages':[{'role':'user','content':'hello there'}]}"), Headers.EMPTY)
                .withPrincipal(Principal.of(key)).with(CostMeter.KEY, new CostMeter());

        assertThrows(BudgetExceeded.class, () -> pipeline.execute(hundred));

        assertTrue(openai.calls().isEmpty());
    }

    @Test
    void callThatCannotFitIsRefusedBeforeTheProviderWithWhatRemains() {
        VirtualKey key = key(5, BudgetPeriod.MONTHLY);

        BudgetExceeded refused = assertThrows(BudgetExceeded.class, () -> pipeline.execute(call(key, false)));

        assertEquals(5, refused.remainingMicros());
        assertEquals(429, refused.status());
        assertEquals(Optional.of("insufficient_quota"), refused.code());
        assertEquals(Optional.of("0.000005"), refused.headers().get(BudgetExceeded.REMAINING));
        assertTrue(openai.calls().isEmpty());
    }

    @Test
    void aNewPeriodStartsFromZeroByTheClock() {
        // given: a daily budget that covers exactly one worst case, spent at the worst case
        VirtualKey probe = key(1, BudgetPeriod.DAILY);
        long worst = worstCase(probe);
        VirtualKey key = key(worst, BudgetPeriod.DAILY);
        long prompt = promptTokens(call(key, false));
        openai.reply(Json.completion("hi", (int) prompt, MAX_TOKENS));
        pipeline.execute(call(key, false));
        assertThrows(BudgetExceeded.class, () -> pipeline.execute(call(key, false)));

        // when: the next day, in UTC
        now.set(Instant.parse("2026-11-24T00:00:00Z"));
        openai.reply(Json.completion("hi", 1, 1));

        // then
        assertEquals(200, pipeline.execute(call(key, false)).status());
        budgets.flush(); // durable spend is written behind the request
        assertEquals(worst, store.spend(key.id(), "2026-11-23"));
        assertEquals(3, store.spend(key.id(), "2026-11-24"));
    }

    @Test
    void periodKeysAreUtcDaysIsoWeeksMonthsAndLifetime() {
        Instant at = Instant.parse("2026-11-23T23:30:00Z");
        assertEquals("2026-11-23", Budgets.periodKey(BudgetPeriod.DAILY, at));
        assertEquals("2026-W48", Budgets.periodKey(BudgetPeriod.WEEKLY, at));
        assertEquals("2026-11", Budgets.periodKey(BudgetPeriod.MONTHLY, at));
        assertEquals("lifetime", Budgets.periodKey(BudgetPeriod.LIFETIME, at));
        // ISO weeks belong to the week-based year: 1 January 2027 is in 2026's 53rd week
        assertEquals("2026-W53", Budgets.periodKey(BudgetPeriod.WEEKLY, Instant.parse("2027-01-01T00:00:00Z")));
    }

    @Test
    void periodStartsAreUtcMidnightsOfTheDayTheIsoWeeksMondayAndTheMonthAndALifetimeStartsAtCreation() {
        Instant created = Instant.parse("2026-02-15T10:30:00Z");
        Instant at = Instant.parse("2027-01-01T23:30:00Z"); // a Friday, in 2026's ISO week 53
        Map<BudgetPeriod, String> expected = Map.of(BudgetPeriod.DAILY, "2027-01-01T00:00:00Z",
                BudgetPeriod.WEEKLY, "2026-12-28T00:00:00Z", BudgetPeriod.MONTHLY, "2027-01-01T00:00:00Z",
                BudgetPeriod.LIFETIME, "2026-02-15T10:30:00Z");
        for (Map.Entry<BudgetPeriod, String> period : expected.entrySet()) {
            VirtualKey key = VirtualKey.builder(KeyId.of("key_start"), "k", "o", "hash", created)
                    .period(period.getKey()).build();
            assertEquals(period.getValue(), Budgets.periodStart(key, at).toString(), period.getKey().name());
        }
        // a Monday is its own week's start
        VirtualKey weekly = VirtualKey.builder(KeyId.of("key_start"), "k", "o", "hash", created)
                .period(BudgetPeriod.WEEKLY).build();
        assertEquals("2026-11-23T00:00:00Z",
                Budgets.periodStart(weekly, Instant.parse("2026-11-23T00:00:00Z")).toString());
    }

    @Test
    void twoHundredConcurrentCallsNeverSpendMoreThanTheBudget() throws Exception {
        // given: a budget of exactly 50 worst cases, and calls that cost exactly their worst case
        long worst = worstCase(key(1, BudgetPeriod.MONTHLY));
        VirtualKey key = key(50 * worst, BudgetPeriod.MONTHLY);
        int prompt = (int) promptTokens(call(key, false));
        for (int i = 0; i < 200; i++) {
            openai.reply(Json.completion("hi", prompt, MAX_TOKENS));
        }

        // when
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                results.add(threads.submit(() -> {
                    try {
                        return pipeline.execute(call(key, false)).status() == 200;
                    } catch (BudgetExceeded e) {
                        return false;
                    }
                }));
            }
        }

        // then
        int succeeded = 0;
        for (Future<Boolean> result : results) {
            succeeded += result.get() ? 1 : 0;
        }
        assertEquals(50, succeeded);
        assertEquals(50, openai.calls().size());
        assertEquals(new BudgetState(50 * worst, 0), budget(key));
        assertTrue(budget(key).spentMicros() <= key.budgetMicros().getAsLong());
        budgets.flush(); // durable spend is written behind the request
        assertEquals(50 * worst, store.spend(key.id(), "2026-11"));
    }

    @Test
    void streamSettlesWhenItEndsAndIsNeverBuffered() {
        // given: a stream whose usage arrives last
        VirtualKey key = key(1_000_000, BudgetPeriod.MONTHLY);
        long worst = stage.worstCaseMicros(call(key, true));
        FedChunkStream upstream = new FedChunkStream().feed(Json.delta("he"));
        openai.reply(new Response.Streamed(200, Headers.EMPTY, upstream));

        // when: the first chunk is read while the upstream has sent nothing more (reading ahead fails the test)
        Response.Streamed response = assertInstanceOf(Response.Streamed.class,
                pipeline.execute(call(key, true)));
        assertTrue(response.chunks().hasNext());
        response.chunks().next();

        // then: still reserved, nothing spent
        assertEquals(worst, budget(key).reservedMicros());
        assertEquals(0, budget(key).spentMicros());

        // when: the rest arrives and the stream ends
        upstream.feed(Chunk.data(body("{'choices':[],'usage':{'prompt_tokens':3,'completion_tokens':5,"
                + "'total_tokens':8}}"))).end();
        while (response.chunks().hasNext()) {
            response.chunks().next();
        }

        // then
        assertEquals(new BudgetState(13, 0), budget(key));
        budgets.flush(); // durable spend is written behind the request
        assertEquals(13, store.spend(key.id(), "2026-11"));
    }

    @Test
    void streamThatFailsWhileReadIsReleased() {
        VirtualKey key = key(1_000_000, BudgetPeriod.MONTHLY);
        openai.reply(new Response.Streamed(200, Headers.EMPTY, new ChunkStream() {
            private int reads;

            @Override
            public boolean hasNext() {
                if (reads++ > 0) {
                    throw new IllegalStateException("upstream went away");
                }
                return true;
            }

            @Override
            public Chunk next() {
                return Json.delta("he");
            }

            @Override
            public void close() {
            }
        }));
        Response.Streamed response = (Response.Streamed) pipeline.execute(call(key, true));
        assertTrue(response.chunks().hasNext());
        response.chunks().next();

        assertThrows(IllegalStateException.class, () -> response.chunks().hasNext());

        assertEquals(BudgetState.EMPTY, budget(key));
        assertFalse(openai.calls().isEmpty());
    }

    @Test
    void durableSpendSeedsAnEmptySharedState() {
        // given: spend recorded before a restart, and a fresh shared state
        VirtualKey key = key(100, BudgetPeriod.MONTHLY);
        store.addSpend(key.id(), "2026-11", 95);

        // when
        Budgets.View view = budgets.view(key);

        // then
        assertEquals(95, view.spentMicros());
        assertEquals(OptionalLong.of(5), view.remainingMicros());
        assertEquals("2026-11", view.periodKey());
        assertEquals(Instant.parse("2026-11-01T00:00:00Z"), view.periodStart());
        assertThrows(BudgetExceeded.class, () -> pipeline.execute(call(key, false)));
    }

    @Test
    void resetStartsTheCurrentPeriodAgainInBothStores() {
        VirtualKey key = key(1_000_000, BudgetPeriod.MONTHLY);
        openai.reply(Json.completion("hi", 3, 5));
        pipeline.execute(call(key, false));

        budgets.reset(key);

        assertEquals(BudgetState.EMPTY, budget(key));
        budgets.flush(); // durable spend is written behind the request
        assertEquals(0, store.spend(key.id(), "2026-11"));
        assertEquals(0, budgets.view(key).spentMicros());
    }

    @Test
    void countTokensIsFreeSoItNeitherReservesNorSpends() {
        // given: a budget far smaller than any priced call's worst case
        VirtualKey key = key(1, BudgetPeriod.MONTHLY);
        openai.replyJson(Json.q("{'input_tokens':12}"));
        Exchange count = Exchange.of(Operation.ANTHROPIC_COUNT_TOKENS,
                body("{'model':'m','messages':[{'role':'user','content':'hello there'}]}"), Headers.EMPTY)
                .withPrincipal(Principal.of(key)).with(CostMeter.KEY, new CostMeter());

        // when
        Response response = pipeline.execute(count);

        // then
        assertEquals(200, response.status());
        assertEquals(BudgetState.EMPTY, budget(key));
        budgets.flush(); // durable spend is written behind the request
        assertEquals(0, store.spend(key.id(), "2026-11"));
    }

    @Test
    void principalsWithoutABudgetPassUntouched() {
        openai.reply(Json.completion("hi", 3, 5));

        assertEquals(200, pipeline.execute(Json.chat("m")).status());
        assertEquals(BudgetState.EMPTY, budget(key(1, BudgetPeriod.MONTHLY)));
    }

    @Test
    void aModuleOperationHoldsItsWorstCaseAndSettlesTheCostItsStageRecorded() {
        VirtualKey key = key(1_000, BudgetPeriod.MONTHLY);
        ModuleOperation toolCall = new ModuleOperation("mcp.tools/call", "/mcp", true, false);
        AtomicReference<BudgetState> during = new AtomicReference<>();
        Pipeline module = Pipeline.builder().addStage(stage).addStage((exchange, chain) -> {
            during.set(budget(key));
            exchange.get(CostMeter.KEY).orElseThrow().recordModuleCost(Cost.priced(300));
            return Response.Complete.json(Body.json("{}"));
        }).route(new RouteStage(resolver)).build();
        Exchange exchange = Exchange.of(toolCall, Body.json("{}"), Headers.EMPTY).withPrincipal(Principal.of(key))
                .with(CostMeter.KEY, new CostMeter()).with(WorstCase.KEY, new WorstCase(700));

        module.execute(exchange);

        assertEquals(700, during.get().reservedMicros());
        assertEquals(300, budget(key).spentMicros());
        assertEquals(0, budget(key).reservedMicros());
        module.execute(exchange);
        assertEquals(600, budget(key).spentMicros());
        BudgetExceeded refused = assertThrows(BudgetExceeded.class, () -> module.execute(exchange));
        assertEquals(400, refused.remainingMicros());
    }
}
