package dev.smartflow.core;

import static dev.smartflow.core.testing.Json.q;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.budget.BudgetStage;
import dev.smartflow.core.budget.RateLimitStage;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.cost.CostStage;
import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.cost.TokenPrice;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.Unauthorized;
import dev.smartflow.core.exchange.Attempt;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.keys.MasterKeyAuthenticator;
import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.model.ChatRequest;
import dev.smartflow.core.model.ChatResponse;
import dev.smartflow.core.model.ChatStream;
import dev.smartflow.core.model.Cost;
import dev.smartflow.core.model.EmbeddingRequest;
import dev.smartflow.core.model.Usage;
import dev.smartflow.core.routing.ModelResolver;
import dev.smartflow.core.routing.PlanStage;
import dev.smartflow.core.routing.Target;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.core.testing.FakeProvider;
import dev.smartflow.core.testing.FakeResolver;
import dev.smartflow.core.testing.FakeTicker;
import dev.smartflow.core.testing.FedChunkStream;
import dev.smartflow.core.testing.Json;
import dev.smartflow.core.testing.RecordingChunkStream;
import dev.smartflow.core.validation.ValidationStage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SmartflowTest {
    private static final String MASTER_KEY = "sk-master-0123456789";

    private final FakeProvider openai = new FakeProvider("openai");
    private final FakeProvider groq = new FakeProvider("groq");
    private final FakeResolver resolver = new FakeResolver(openai, groq);
    private final FakeTicker ticker = new FakeTicker();
    private final List<String> log = new ArrayList<>();

    private Smartflow smartflow() {
        return Smartflow.builder().resolver(resolver).ticker(ticker).build();
    }

    private Smartflow authenticating() {
        return Smartflow.builder().resolver(resolver).authenticator(new MasterKeyAuthenticator(MASTER_KEY)).build();
    }

    private static Response.Streamed streamed(RecordingChunkStream chunks) {
        return new Response.Streamed(200, Headers.EMPTY, chunks);
    }

    /** A resolver that can be closed, as a real provider registry holding connection pools is. */
    private static final class ClosableResolver implements ModelResolver, AutoCloseable {
        private final ModelResolver delegate;
        private final RuntimeException closeFailure;
        private int closed;

        ClosableResolver(ModelResolver delegate, RuntimeException closeFailure) {
            this.delegate = delegate;
            this.closeFailure = closeFailure;
        }

        @Override
        public Target resolve(String model) {
            return delegate.resolve(model);
        }

        @Override
        public List<Provider> available() {
            return delegate.available();
        }

        @Override
        public void close() {
            closed++;
            if (closeFailure != null) {
                throw closeFailure;
            }
        }
    }

    /** Records its label on the way in and passes the exchange on. */
    private Stage recording(String label) {
        return (exchange, chain) -> {
            log.add(label);
            return chain.proceed(exchange);
        };
    }

    // chat

    @Test
    void chatReturnsContentUsageAndProvider() {
        // given
        groq.reply(Json.completion("Paris", 12, 1));

        // when
        ChatResponse answer = smartflow().chat(ChatRequest.of("groq/llama-3.3-70b", "Capital of France?"));

        // then
        assertEquals("Paris", answer.content());
        assertEquals(new Usage(12, 1, 13), answer.usage());
        assertEquals("groq", answer.provider());
    }

    @Test
    void chatSendsTheRequestToTheResolvedProviderAndModel() {
        // given
        groq.reply(Json.completion("Paris", 1, 1));
        ChatRequest request = ChatRequest.of("groq/llama-3.3-70b", "Capital of France?");

        // when
        smartflow().chat(request);

        // then
        assertEquals("llama-3.3-70b", groq.onlyCall().model());
        assertEquals(request.body(), groq.onlyCall().exchange().body());
        assertEquals(Operation.CHAT, groq.onlyCall().exchange().operation());
    }

    @Test
    void chatStripsAStreamFlag() {
        // given
        openai.reply(Json.completion("hi", 1, 1));
        ChatRequest request = ChatRequest.fromJson(
                q("{'model':'gpt-4o','stream':true,'messages':[{'role':'user','content':'hi'}],'x_extra':1}"));

        // when
        smartflow().chat(request);

        // then
        JsonNode sent = openai.onlyCall().exchange().body().json();
        assertFalse(sent.has("stream"));
        assertEquals(1, sent.path("x_extra").asInt());
    }

    @Test
    void chatStripsStreamOptionsAlongWithTheStreamFlag() {
        // given
        openai.reply(Json.completion("hi", 1, 1));
        ChatRequest request = ChatRequest.of("gpt-4o", "hi").streaming();

        // when
        smartflow().chat(request);

        // then
        JsonNode sent = openai.onlyCall().exchange().body().json();
        assertFalse(sent.has("stream"));
        assertFalse(sent.has("stream_options"));
    }

    @Test
    void chatRunsAsTheEmbeddingApplicationWhenNoAuthenticatorIsSet() {
        // given
        openai.reply(Json.completion("hi", 1, 1));

        // when
        smartflow().chat(ChatRequest.of("gpt-4o", "hi"));

        // then
        Principal principal = openai.onlyCall().exchange().principal();
        assertEquals(Principal.Kind.EMBEDDED, principal.kind());
    }

    @Test
    void chatAnswersCarryTheTraceHeaders() {
        // given
        openai.answer(exchange -> {
            ticker.advance(Duration.ofMillis(2));
            return Json.completion("hi", 1, 1);
        });

        // when
        ChatResponse answer = smartflow().chat(ChatRequest.of("gpt-4o", "hi"));

        // then
        assertEquals(Optional.of("2.000"), answer.headers().get("x-smartflow-latency-ms"));
        assertTrue(answer.headers().get("x-smartflow-request-id").orElseThrow().startsWith("req_"));
    }

    @Test
    void invalidChatIsRejectedWith400BeforeReachingTheProvider() {
        // given
        ChatRequest request = ChatRequest.fromJson(q("{'model':'gpt-4o','messages':[]}"));

        // when
        InvalidRequest failure = assertThrows(InvalidRequest.class, () -> smartflow().chat(request));

        // then
        assertEquals(Optional.of("messages"), failure.param());
        assertTrue(openai.calls().isEmpty());
    }

    @Test
    void chatClosesAStreamItDidNotAskFor() {
        // given
        RecordingChunkStream chunks = new RecordingChunkStream(List.of(Json.delta("hi")));
        openai.reply(streamed(chunks));

        // when
        assertThrows(IllegalStateException.class, () -> smartflow().chat(ChatRequest.of("gpt-4o", "hi")));

        // then
        assertTrue(chunks.closed());
    }

    // chatStream

    @Test
    void chatStreamAsksTheProviderForAStreamWithUsage() {
        // given
        openai.reply(streamed(new RecordingChunkStream(List.of())));

        // when
        smartflow().chatStream(ChatRequest.of("gpt-4o", "hi")).close();

        // then
        JsonNode sent = openai.onlyCall().exchange().body().json();
        assertTrue(sent.path("stream").booleanValue());
        assertTrue(sent.path("stream_options").path("include_usage").booleanValue());
        assertTrue(openai.onlyCall().exchange().streaming());
    }

    @Test
    void chatStreamYieldsTheChunksInOrder() {
        // given
        openai.reply(streamed(new RecordingChunkStream(List.of(Json.delta("Hel"), Json.delta("lo")))));
        List<String> deltas = new ArrayList<>();

        // when
        try (ChatStream stream = smartflow().chatStream(ChatRequest.of("gpt-4o", "hi"))) {
            stream.forEach(chunk -> deltas.add(ChatStream.delta(chunk)));
        }

        // then
        assertEquals(List.of("Hel", "lo"), deltas);
    }

    @Test
    void chatStreamTextJoinsTheDeltas() {
        // given
        openai.reply(streamed(new RecordingChunkStream(List.of(Json.delta("Hel"), Json.delta("lo"), Json.delta("!")))));

        // when
        String text;
        try (ChatStream stream = smartflow().chatStream(ChatRequest.of("gpt-4o", "hi"))) {
            text = stream.text();
        }

        // then
        assertEquals("Hello!", text);
    }

    @Test
    void chatStreamCloseClosesTheProvidersStream() {
        // given
        RecordingChunkStream chunks = new RecordingChunkStream(List.of(Json.delta("Hel"), Json.delta("lo")));
        openai.reply(streamed(chunks));
        ChatStream stream = smartflow().chatStream(ChatRequest.of("gpt-4o", "hi"));

        // when
        stream.close();

        // then
        assertTrue(chunks.closed());
    }

    @Test
    void chatStreamCarriesTheProviderHeader() {
        // given
        openai.reply(streamed(new RecordingChunkStream(List.of())));

        // when
        ChatStream stream = smartflow().chatStream(ChatRequest.of("gpt-4o", "hi"));

        // then
        assertEquals(Optional.of("openai"), stream.headers().get("x-smartflow-provider"));
        stream.close();
    }

    @Test
    void chatStreamAnsweredWithACompleteResponseFails() {
        // given
        openai.reply(Json.completion("hi", 1, 1));
        Smartflow smartflow = smartflow();
        ChatRequest request = ChatRequest.of("gpt-4o", "hi");

        // when / then
        assertThrows(IllegalStateException.class, () -> smartflow.chatStream(request));
    }

    // embeddings and models

    @Test
    void embeddingsReturnsTheVectors() {
        // given
        openai.replyJson(q("{'object':'list','data':[{'index':0,'embedding':[0.1,0.2]},"
                + "{'index':1,'embedding':[0.3,0.4]}],'usage':{'prompt_tokens':4,'total_tokens':4}}"));

        // when
        List<float[]> vectors = smartflow()
                .embeddings(EmbeddingRequest.of("text-embedding-3-small", List.of("a", "b")))
                .vectors();

        // then
        assertEquals(2, vectors.size());
        assertArrayEquals(new float[] {0.3f, 0.4f}, vectors.get(1));
        assertEquals(Operation.EMBEDDINGS, openai.onlyCall().exchange().operation());
    }

    @Test
    void modelsListsTheIdsOfEveryProvider() {
        // given
        openai.models("gpt-4o");
        groq.models("llama-3.3-70b");

        // when
        List<String> ids = smartflow().models().ids();

        // then
        assertEquals(List.of("gpt-4o", "groq/llama-3.3-70b"), ids);
    }

    // authentication

    @Test
    void callWithoutAKeyIsRejectedWith401() {
        // given
        Smartflow smartflow = authenticating();
        ChatRequest request = ChatRequest.of("gpt-4o", "hi");

        // when
        Unauthorized failure = assertThrows(Unauthorized.class, () -> smartflow.chat(request));

        // then
        assertEquals(401, failure.status());
        assertTrue(openai.calls().isEmpty());
    }

    @Test
    void callWithAnAcceptedKeyIsServed() {
        // given
        openai.reply(Json.completion("hi", 1, 1));

        // when
        ChatResponse answer = authenticating().withApiKey(MASTER_KEY).chat(ChatRequest.of("gpt-4o", "hi"));

        // then
        assertEquals("hi", answer.content());
        assertEquals(Principal.MASTER, openai.onlyCall().exchange().principal());
    }

    @Test
    void callWithAWrongKeyIsRejectedWith401() {
        // given
        Smartflow smartflow = authenticating().withApiKey("sk-wrong");
        ChatRequest request = ChatRequest.of("gpt-4o", "hi");

        // when
        Unauthorized failure = assertThrows(Unauthorized.class, () -> smartflow.chat(request));

        // then
        assertEquals(401, failure.status());
    }

    @Test
    void modelsAlsoNeedAKeyWhenAnAuthenticatorIsSet() {
        // given
        Smartflow smartflow = authenticating();

        // when / then
        assertThrows(Unauthorized.class, smartflow::models);
    }

    @Test
    void withApiKeyRejectsABlankKey() {
        // given
        Smartflow smartflow = authenticating();

        // when / then
        assertThrows(IllegalArgumentException.class, () -> smartflow.withApiKey(" "));
    }

    @Test
    void withApiKeyLeavesTheOriginalInstanceWithoutAKey() {
        // given
        Smartflow smartflow = authenticating();
        smartflow.withApiKey(MASTER_KEY);
        ChatRequest request = ChatRequest.of("gpt-4o", "hi");

        // when / then
        assertThrows(Unauthorized.class, () -> smartflow.chat(request));
    }

    // custom stages

    @Test
    void customStagesRunInTheDocumentedOrder() {
        // given
        openai.answer(exchange -> {
            log.add("provider");
            return Json.completion("hi", 1, 1);
        });
        Smartflow smartflow = Smartflow.builder()
                .resolver(resolver)
                .addAttemptStage(recording("attempt-1"))
                .addStage(recording("exchange-1"))
                .addAttemptStage(recording("attempt-2"))
                .addStage(recording("exchange-2"))
                .build();

        // when
        smartflow.chat(ChatRequest.of("gpt-4o", "hi"));

        // then
        assertEquals(List.of("exchange-1", "exchange-2", "attempt-1", "attempt-2", "provider"), log);
    }

    @Test
    void customExchangeStageRunsInsideTraceAndOutsideRoute() {
        // given
        openai.reply(Json.completion("hi", 1, 1));
        List<Response> seen = new ArrayList<>();
        Smartflow smartflow = Smartflow.builder().resolver(resolver).addStage((exchange, chain) -> {
            Response response = chain.proceed(exchange);
            seen.add(response);
            return response;
        }).build();

        // when
        smartflow.chat(ChatRequest.of("gpt-4o", "hi"));

        // then
        Headers headers = seen.getFirst().headers();
        assertEquals(Optional.of("openai"), headers.get("x-smartflow-provider"));
        assertEquals(Optional.empty(), headers.get("x-smartflow-request-id"));
    }

    @Test
    void customAttemptStageSeesTheAttemptBeforeTheRouteStampsItsHeaders() {
        // given
        openai.reply(Json.completion("hi", 1, 1));
        List<Optional<Attempt>> attempts = new ArrayList<>();
        List<Response> seen = new ArrayList<>();
        Smartflow smartflow = Smartflow.builder().resolver(resolver).addAttemptStage((exchange, chain) -> {
            attempts.add(chain.attempt());
            Response response = chain.proceed(exchange);
            seen.add(response);
            return response;
        }).build();

        // when
        smartflow.chat(ChatRequest.of("gpt-4o", "hi"));

        // then
        assertEquals("gpt-4o", attempts.getFirst().orElseThrow().model());
        assertEquals(Optional.empty(), seen.getFirst().headers().get("x-smartflow-provider"));
    }

    @Test
    void customExchangeStagesSeeTheAuthenticatedCaller() {
        // given
        openai.reply(Json.completion("hi", 1, 1));
        List<Principal> callers = new ArrayList<>();
        Smartflow smartflow = Smartflow.builder()
                .resolver(resolver)
                .authenticator(new MasterKeyAuthenticator(MASTER_KEY))
                .addStage((exchange, chain) -> {
                    callers.add(exchange.principal());
                    return chain.proceed(exchange);
                })
                .build();

        // when
        smartflow.withApiKey(MASTER_KEY).chat(ChatRequest.of("gpt-4o", "hi"));

        // then
        assertEquals(List.of(Principal.MASTER), callers);
    }

    @Test
    void customStagesNeverSeeAnInvalidRequest() {
        // given
        Smartflow smartflow = Smartflow.builder().resolver(resolver).addStage(recording("custom")).build();
        ChatRequest request = ChatRequest.fromJson(q("{'model':'gpt-4o'}"));

        // when
        assertThrows(InvalidRequest.class, () -> smartflow.chat(request));

        // then
        assertEquals(List.of(), log);
    }

    @Test
    void customStageMayAnswerWithoutReachingTheProvider() {
        // given
        Smartflow smartflow = Smartflow.builder()
                .resolver(resolver)
                .addStage((exchange, chain) -> Json.completion("cached", 0, 0))
                .addAttemptStage(recording("attempt"))
                .build();

        // when
        ChatResponse answer = smartflow.chat(ChatRequest.of("gpt-4o", "hi"));

        // then
        assertEquals("cached", answer.content());
        assertEquals(List.of(), log);
        assertTrue(openai.calls().isEmpty());
    }

    // execute

    @Test
    void executeRunsAServerExchangeThroughThePipeline() {
        // given
        openai.reply(Json.completion("hi", 1, 1));
        Exchange exchange = Exchange.of(Operation.CHAT,
                Body.json(q("{'model':'gpt-4o','messages':[{'role':'user','content':'hi'}]}")), Headers.EMPTY);

        // when
        Response response = authenticating().execute(exchange.withPrincipal(Principal.MASTER));

        // then
        assertEquals(Optional.of(exchange.id().value()), response.headers().get("x-smartflow-request-id"));
        assertEquals(Principal.MASTER, openai.onlyCall().exchange().principal());
    }

    // builder and lifecycle

    @Test
    void buildWithoutAResolverFails() {
        // given
        Smartflow.Builder builder = Smartflow.builder();

        // when
        IllegalStateException failure = assertThrows(IllegalStateException.class, builder::build);

        // then
        assertTrue(failure.getMessage().contains("resolver"), failure.getMessage());
    }

    @Test
    void settingTheResolverTwiceIsRejected() {
        // given
        Smartflow.Builder builder = Smartflow.builder().resolver(resolver);

        // when / then
        assertThrows(IllegalStateException.class, () -> builder.resolver(resolver));
    }

    @Test
    void settingTheAuthenticatorTwiceIsRejected() {
        // given
        Smartflow.Builder builder = Smartflow.builder().authenticator(new MasterKeyAuthenticator(MASTER_KEY));

        // when / then
        assertThrows(IllegalStateException.class,
                () -> builder.authenticator(new MasterKeyAuthenticator(MASTER_KEY)));
    }

    @Test
    void closeClosesAnAutoCloseableResolver() {
        // given
        ClosableResolver closable = new ClosableResolver(resolver, null);
        Smartflow smartflow = Smartflow.builder().resolver(closable).build();

        // when
        smartflow.close();

        // then
        assertEquals(1, closable.closed);
    }

    @Test
    void closeCarriesOnWhenTheResolverFailsToClose() {
        // given
        ClosableResolver closable = new ClosableResolver(resolver, new IllegalStateException("pool already shut"));
        Smartflow smartflow = Smartflow.builder().resolver(closable).build();

        // when
        smartflow.close();

        // then
        assertEquals(1, closable.closed);
    }

    // cost

    private static final Pricing GPT_4O_ONLY = (provider, model) -> provider.equals("openai") && model.equals("gpt-4o")
            ? Optional.of(TokenPrice.perMillion(2_500_000, 1_250_000, 10_000_000)) : Optional.empty();

    private Smartflow pricing() {
        return Smartflow.builder().resolver(resolver).pricing(GPT_4O_ONLY).build();
    }

    @Test
    void withPricingAChatAnswerCarriesItsCost() {
        // given: 12 * 2.50 + 1 * 10.00 = 40 micro-USD
        openai.reply(Json.completion("hi", 12, 1));

        // when
        ChatResponse answer = pricing().chat(ChatRequest.of("gpt-4o", "hi"));

        // then
        assertEquals(Optional.of("0.000040"), answer.headers().get(CostStage.COST_USD));
        assertEquals(Optional.of("priced"), answer.headers().get(CostStage.COST_STATUS));
        assertEquals(Optional.of(Cost.priced(40)), answer.cost());
    }

    @Test
    void withoutPricingNoCostIsClaimed() {
        // given
        openai.reply(Json.completion("hi", 12, 1));

        // when
        ChatResponse answer = smartflow().chat(ChatRequest.of("gpt-4o", "hi"));

        // then
        assertEquals(Optional.empty(), answer.headers().get(CostStage.COST_USD));
        assertEquals(Optional.empty(), answer.cost());
    }

    @Test
    void aModulesStagesLandInTheirSlotsWhateverOrderTheyAreAddedIn() {
        // given: stages named by their slot, added out of order by a module
        record Named(String name) implements Stage {
            @Override
            public Response handle(Exchange exchange, Chain chain) {
                return chain.proceed(exchange);
            }
        }
        SmartflowModule module = pipeline -> pipeline.addStage(Slot.ATTEMPT, new Named("attempt"))
                .addStage(Slot.CACHE, new Named("cache")).addStage(Slot.BEFORE_ROUTE, new Named("before-route"))
                .addStage(Slot.PRE_CALL, new Named("pre-call")).addStage(Slot.AUTHENTICATED, new Named("authenticated"));
        Smartflow smartflow = Smartflow.builder().resolver(resolver).sharedState(new InMemorySharedState())
                .keyStore(new InMemoryDatabase().keys()).install(module).build();

        // when
        List<String> order = ((DefaultSmartflow) smartflow).pipelineStages().stream()
                .map(s -> s instanceof Named named ? named.name() : s.getClass().getSimpleName()).toList();

        // then
        assertEquals(List.of("TraceStage", "ValidationStage", "authenticated", "RateLimitStage", "pre-call", "cache",
                "PlanStage", "BudgetStage", "before-route", "ModelsStage", "RouteStage", "attempt"), order);
    }

    @Test
    void rateLimitsAndBudgetsRunAfterValidationOnlyWhenConfigured() {
        // given
        Stage mine = (exchange, chain) -> chain.proceed(exchange);
        InMemorySharedState state = new InMemorySharedState();
        Smartflow limited = Smartflow.builder().resolver(resolver).sharedState(state)
                .keyStore(new InMemoryDatabase().keys()).addStage(mine).build();
        Smartflow plain = Smartflow.builder().resolver(resolver).addStage(mine).build();

        // then
        List<Stage> stages = ((DefaultSmartflow) limited).pipelineStages();
        int validation = stages.indexOf(stages.stream().filter(s -> s instanceof ValidationStage).findFirst()
                .orElseThrow());
        assertTrue(stages.get(validation + 1) instanceof RateLimitStage);
        assertTrue(stages.get(validation + 2) instanceof PlanStage);
        assertTrue(stages.get(validation + 3) instanceof BudgetStage);
        assertSame(mine, stages.get(validation + 4));
        assertTrue(((DefaultSmartflow) plain).pipelineStages().stream()
                .noneMatch(s -> s instanceof RateLimitStage || s instanceof BudgetStage));
    }

    @Test
    void theCostStageRunsAfterTheAttemptStagesAddedByTheCaller() {
        // given
        Stage mine = (exchange, chain) -> chain.proceed(exchange);
        Smartflow smartflow = Smartflow.builder().resolver(resolver).addAttemptStage(mine).pricing(GPT_4O_ONLY)
                .build();

        // then
        List<Stage> stages = ((DefaultSmartflow) smartflow).pipelineStages();
        assertSame(mine, stages.get(stages.size() - 2));
        assertTrue(stages.getLast() instanceof CostStage);
    }

    @Test
    void chatStreamCostIsKnownOnceTheStreamEnds() {
        // given
        FedChunkStream upstream = new FedChunkStream().feed(Json.delta("Hel"));
        openai.reply(new Response.Streamed(200, Headers.EMPTY, upstream));

        // when
        try (ChatStream stream = pricing().chatStream(ChatRequest.of("gpt-4o", "hi"))) {
            var chunks = stream.iterator();
            assertEquals("Hel", ChatStream.delta(chunks.next()));
            assertEquals(Optional.empty(), stream.cost());
            upstream.feed(Chunk.data(Json.body("{'choices':[],'usage':{'prompt_tokens':100,'completion_tokens':10,"
                    + "'total_tokens':110}}"))).end();
            while (chunks.hasNext()) {
                chunks.next();
            }

            // then: 100 * 2.50 + 10 * 10.00 = 350 micro-USD
            assertEquals(Optional.of(Cost.priced(350)), stream.cost());
        }
    }

    @Test
    void executeKeepsAMeterTheCallerPutOnTheExchange() {
        // given
        openai.reply(Json.completion("hi", 12, 1));
        CostMeter meter = new CostMeter();

        // when
        pricing().execute(Json.chat("gpt-4o").with(CostMeter.KEY, meter));

        // then
        assertEquals(Optional.of(Cost.priced(40)), meter.cost());
    }

    @Test
    void pricingCannotBeSetTwice() {
        Smartflow.Builder builder = Smartflow.builder().pricing(GPT_4O_ONLY);
        assertThrows(IllegalStateException.class, () -> builder.pricing(GPT_4O_ONLY));
    }

    @Test
    void anUnpricedChatAnswerSaysSo() {
        // given
        openai.reply(Json.completion("hi", 12, 1));

        // when
        ChatResponse answer = pricing().chat(ChatRequest.of("gpt-4o-mini", "hi"));

        // then
        assertEquals(Optional.of(Cost.unpriced()), answer.cost());
        assertEquals(Optional.of("unknown"), answer.headers().get(CostStage.COST_USD));
    }
}
