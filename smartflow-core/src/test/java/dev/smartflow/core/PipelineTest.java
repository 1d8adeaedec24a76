package dev.smartflow.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.exchange.Attempt;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.testing.FakeProvider;
import dev.smartflow.core.testing.Json;
import dev.smartflow.core.testing.RecordingChain;
import dev.smartflow.core.testing.RecordingChunkStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PipelineTest {
    private static final Response ANSWER = Response.Complete.json(Body.json("{\"answer\":1}"));

    private final FakeProvider provider = new FakeProvider("fake");
    private final List<String> log = new ArrayList<>();

    /** Records its label on the way in and passes the exchange on. */
    private final class Recording implements Stage {
        private final String label;

        Recording(String label) {
            this.label = label;
        }

        @Override
        public Response handle(Exchange exchange, Chain chain) {
            log.add(label);
            return chain.proceed(exchange);
        }
    }

    /** A route stage that makes one attempt at the fake provider. */
    private final class OneAttempt implements Stage {
        @Override
        public Response handle(Exchange exchange, Chain chain) {
            return chain.proceed(exchange.with(Attempt.KEY, new Attempt(provider, "m", 1)));
        }
    }

    /** A route stage that makes two attempts and returns the second answer. */
    private final class TwoAttempts implements Stage {
        @Override
        public Response handle(Exchange exchange, Chain chain) {
            chain.proceed(exchange.with(Attempt.KEY, new Attempt(provider, "m", 1)));
            return chain.proceed(exchange.with(Attempt.KEY, new Attempt(provider, "m", 2)));
        }
    }

    static final class ProceedsTwice implements Stage {
        @Override
        public Response handle(Exchange exchange, Chain chain) {
            chain.proceed(exchange);
            return chain.proceed(exchange);
        }
    }

    static final class ReturnsNull implements Stage {
        @Override
        public Response handle(Exchange exchange, Chain chain) {
            return null;
        }
    }

    static final class Authenticates implements Stage {
        @Override
        public Response handle(Exchange exchange, Chain chain) {
            return chain.proceed(exchange.withPrincipal(Principal.MASTER));
        }
    }

    static final class ChangesPrincipal implements Stage {
        @Override
        public Response handle(Exchange exchange, Chain chain) {
            return chain.proceed(exchange.withPrincipal(Principal.embedded("impostor")));
        }
    }

    static final class RoutesWithoutAttempt implements Stage {
        @Override
        public Response handle(Exchange exchange, Chain chain) {
            return chain.proceed(exchange);
        }
    }

    static final class Answers implements Stage {
        @Override
        public Response handle(Exchange exchange, Chain chain) {
            return ANSWER;
        }
    }

    @Test
    void exchangeStagesRunInBuilderOrder() {
        // given
        provider.reply(ANSWER);
        Pipeline pipeline = Pipeline.builder()
                .addStage(new Recording("first"))
                .addStage(new Recording("second"))
                .addStage(new Recording("third"))
                .route(new OneAttempt())
                .build();

        // when
        pipeline.execute(Json.chat("m"));

        // then
        assertEquals(List.of("first", "second", "third"), log);
    }

    @Test
    void attemptStagesRunInBuilderOrderAfterTheExchangeStages() {
        // given
        provider.reply(ANSWER);
        Pipeline pipeline = Pipeline.builder()
                .addAttemptStage(new Recording("attempt-1"))
                .addStage(new Recording("exchange"))
                .addAttemptStage(new Recording("attempt-2"))
                .route(new OneAttempt())
                .build();

        // when
        pipeline.execute(Json.chat("m"));

        // then
        assertEquals(List.of("exchange", "attempt-1", "attempt-2"), log);
    }

    @Test
    void stagesListsEveryStageInRunningOrder() {
        // given
        Stage exchangeStage = new Recording("exchange");
        Stage route = new OneAttempt();
        Stage attemptStage = new Recording("attempt");

        // when
        Pipeline pipeline = Pipeline.builder()
                .addAttemptStage(attemptStage)
                .route(route)
                .addStage(exchangeStage)
                .build();

        // then
        assertEquals(List.of(exchangeStage, route, attemptStage), pipeline.stages());
    }

    @Test
    void providerAnswerComesBackThroughEveryStage() {
        // given
        provider.reply(ANSWER);
        Pipeline pipeline = Pipeline.builder().addStage(new Recording("a")).route(new OneAttempt()).build();

        // when
        Response response = pipeline.execute(Json.chat("m"));

        // then
        assertSame(ANSWER, response);
    }

    @Test
    void exchangeStageThatAnswersItselfShortCircuitsAttemptStagesAndProvider() {
        // given
        Pipeline pipeline = Pipeline.builder()
                .addStage(new Answers())
                .route(new Recording("route"))
                .addAttemptStage(new Recording("attempt"))
                .build();

        // when
        Response response = pipeline.execute(Json.chat("m"));

        // then
        assertSame(ANSWER, response);
        assertEquals(List.of(), log);
        assertTrue(provider.calls().isEmpty());
    }

    @Test
    void stageCallingProceedTwiceFailsNamingTheStage() {
        // given
        provider.reply(ANSWER).reply(ANSWER);
        Pipeline pipeline = Pipeline.builder().addStage(new ProceedsTwice()).route(new OneAttempt()).build();

        // when
        IllegalStateException failure =
                assertThrows(IllegalStateException.class, () -> pipeline.execute(Json.chat("m")));

        // then
        assertTrue(failure.getMessage().contains(ProceedsTwice.class.getName()), failure.getMessage());
        assertTrue(failure.getMessage().contains("more than once"), failure.getMessage());
    }

    @Test
    void attemptStageCallingProceedTwiceFailsNamingTheStage() {
        // given
        provider.reply(ANSWER).reply(ANSWER);
        Pipeline pipeline = Pipeline.builder().route(new OneAttempt()).addAttemptStage(new ProceedsTwice()).build();

        // when
        IllegalStateException failure =
                assertThrows(IllegalStateException.class, () -> pipeline.execute(Json.chat("m")));

        // then
        assertTrue(failure.getMessage().contains(ProceedsTwice.class.getName()), failure.getMessage());
    }

    @Test
    void routeStageMayCallProceedTwice() {
        // given
        provider.reply(ANSWER).reply(ANSWER);
        Pipeline pipeline = Pipeline.builder().route(new TwoAttempts()).build();

        // when
        pipeline.execute(Json.chat("m"));

        // then
        List<Integer> attempts = provider.calls().stream()
                .map(call -> call.exchange().get(Attempt.KEY).orElseThrow().number())
                .toList();
        assertEquals(List.of(1, 2), attempts);
    }

    @Test
    void eachRouteAttemptRunsTheAttemptStagesAgain() {
        // given
        provider.reply(ANSWER).reply(ANSWER);
        Pipeline pipeline = Pipeline.builder().route(new TwoAttempts()).addAttemptStage(new Recording("attempt"))
                .build();

        // when
        pipeline.execute(Json.chat("m"));

        // then
        assertEquals(List.of("attempt", "attempt"), log);
    }

    @Test
    void stageReturningNullFailsNamingTheStage() {
        // given
        Pipeline pipeline = Pipeline.builder().addStage(new Recording("outer")).addStage(new ReturnsNull()).build();

        // when
        IllegalStateException failure =
                assertThrows(IllegalStateException.class, () -> pipeline.execute(Json.chat("m")));

        // then
        assertTrue(failure.getMessage().contains(ReturnsNull.class.getName()), failure.getMessage());
        assertTrue(failure.getMessage().contains("null"), failure.getMessage());
    }

    @Test
    void providerReturningNullFailsNamingTheProvider() {
        // given
        provider.answer(exchange -> null);
        Pipeline pipeline = Pipeline.builder().route(new OneAttempt()).build();

        // when
        IllegalStateException failure =
                assertThrows(IllegalStateException.class, () -> pipeline.execute(Json.chat("m")));

        // then
        assertTrue(failure.getMessage().contains("provider fake"), failure.getMessage());
    }

    @Test
    void firstStageMayAuthenticateAnAnonymousExchange() {
        // given
        provider.reply(ANSWER);
        Pipeline pipeline = Pipeline.builder().addStage(new Authenticates()).route(new OneAttempt()).build();

        // when
        pipeline.execute(Json.chat("m"));

        // then
        assertEquals(Principal.MASTER, provider.onlyCall().exchange().principal());
    }

    @Test
    void changingTheAuthenticatedPrincipalFailsNamingTheStage() {
        // given
        Pipeline pipeline = Pipeline.builder()
                .addStage(new Authenticates())
                .addStage(new ChangesPrincipal())
                .route(new OneAttempt())
                .build();

        // when
        IllegalStateException failure =
                assertThrows(IllegalStateException.class, () -> pipeline.execute(Json.chat("m")));

        // then
        assertTrue(failure.getMessage().contains(ChangesPrincipal.class.getName()), failure.getMessage());
        assertTrue(provider.calls().isEmpty());
    }

    @Test
    void proceedingIntoAttemptStagesWithoutAnAttemptFailsNamingTheRouteStage() {
        // given
        Pipeline pipeline = Pipeline.builder().route(new RoutesWithoutAttempt())
                .addAttemptStage(new Recording("attempt")).build();

        // when
        IllegalStateException failure =
                assertThrows(IllegalStateException.class, () -> pipeline.execute(Json.chat("m")));

        // then
        assertTrue(failure.getMessage().contains(RoutesWithoutAttempt.class.getName()), failure.getMessage());
        assertTrue(failure.getMessage().contains("Attempt"), failure.getMessage());
        assertEquals(List.of(), log);
    }

    @Test
    void proceedingToTheProviderWithoutAnAttemptFails() {
        // given
        Pipeline pipeline = Pipeline.builder().route(new RoutesWithoutAttempt()).build();

        // when
        IllegalStateException failure =
                assertThrows(IllegalStateException.class, () -> pipeline.execute(Json.chat("m")));

        // then
        assertTrue(failure.getMessage().contains(RoutesWithoutAttempt.class.getName()), failure.getMessage());
    }

    @Test
    void attemptStagesSeeTheAttemptOnTheirChain() {
        // given
        provider.reply(ANSWER);
        List<Optional<Attempt>> seen = new ArrayList<>();
        Pipeline pipeline = Pipeline.builder()
                .route(new OneAttempt())
                .addAttemptStage((exchange, chain) -> {
                    seen.add(chain.attempt());
                    return chain.proceed(exchange);
                })
                .build();

        // when
        pipeline.execute(Json.chat("m"));

        // then
        assertEquals(1, seen.size());
        assertSame(provider, seen.getFirst().orElseThrow().provider());
        assertEquals("m", seen.getFirst().orElseThrow().model());
    }

    @Test
    void exchangeStagesSeeNoAttemptOnTheirChain() {
        // given
        provider.reply(ANSWER);
        List<Optional<Attempt>> seen = new ArrayList<>();
        Pipeline pipeline = Pipeline.builder()
                .addStage((exchange, chain) -> {
                    seen.add(chain.attempt());
                    return chain.proceed(exchange);
                })
                .route(new OneAttempt())
                .build();

        // when
        pipeline.execute(Json.chat("m"));

        // then
        assertEquals(List.of(Optional.empty()), seen);
    }

    @Test
    void pipelineWithoutRouteFailsWhenNoStageAnswers() {
        // given
        Pipeline pipeline = Pipeline.builder().addStage(new Recording("only")).build();

        // when
        IllegalStateException failure =
                assertThrows(IllegalStateException.class, () -> pipeline.execute(Json.chat("m")));

        // then
        assertTrue(failure.getMessage().contains("no route stage"), failure.getMessage());
    }

    @Test
    void stageFailureReachesTheCallerUnchanged() {
        // given
        IllegalArgumentException thrown = new IllegalArgumentException("boom");
        Pipeline pipeline = Pipeline.builder().addStage((exchange, chain) -> {
            throw thrown;
        }).build();

        // when
        IllegalArgumentException failure =
                assertThrows(IllegalArgumentException.class, () -> pipeline.execute(Json.chat("m")));

        // then
        assertSame(thrown, failure);
    }

    @Test
    void aStreamAStageDropsIsClosedForIt() {
        // given: the last stage answers a stream; the stage before it answers whole, or fails, dropping the stream
        RecordingChunkStream answered = new RecordingChunkStream(List.of(Chunk.data(Body.json("{}"))));
        RecordingChunkStream failed = new RecordingChunkStream(List.of(Chunk.data(Body.json("{}"))));
        Stage streams = (exchange, chain) -> new Response.Streamed(200, Headers.EMPTY,
                exchange.body().utf8().contains("fail") ? failed : answered);
        Pipeline answersWhole = Pipeline.builder().addStage((exchange, chain) -> {
            chain.proceed(exchange);
            return RecordingChain.OK;
        }).addStage(streams).build();
        Pipeline fails = Pipeline.builder().addStage((exchange, chain) -> {
            chain.proceed(exchange);
            throw new IllegalArgumentException("after the stream");
        }).addStage(streams).build();

        // when
        answersWhole.execute(Json.chat("m"));
        assertThrows(IllegalArgumentException.class, () -> fails.execute(Exchange.of(Operation.CHAT,
                Body.json("{\"model\":\"fail\"}"), Headers.EMPTY)));

        // then
        assertTrue(answered.closed());
        assertTrue(failed.closed());
    }

    @Test
    void aStreamPassedOnOrReadToItsEndIsLeftAlone() {
        RecordingChunkStream upstream = new RecordingChunkStream(List.of(Chunk.data(Body.json("{}"))));
        Pipeline pipeline = Pipeline.builder().addStage((exchange, chain) -> chain.proceed(exchange))
                .addStage((exchange, chain) -> new Response.Streamed(200, Headers.EMPTY, upstream)).build();

        Response.Streamed response = (Response.Streamed) pipeline.execute(Json.chat("m"));

        assertFalse(upstream.closed());
        response.chunks().forEachRemaining(c -> { });
        response.chunks().close();
        assertTrue(upstream.closed());
    }

    @Test
    void buildRejectsAttemptStagesWithoutARouteStage() {
        // given
        Pipeline.Builder builder = Pipeline.builder().addAttemptStage(new Recording("attempt"));

        // when
        IllegalStateException failure = assertThrows(IllegalStateException.class, builder::build);

        // then
        assertTrue(failure.getMessage().contains("route"), failure.getMessage());
    }

    @Test
    void settingTheRouteStageTwiceIsRejected() {
        // given
        Pipeline.Builder builder = Pipeline.builder().route(new OneAttempt());

        // when
        IllegalStateException failure =
                assertThrows(IllegalStateException.class, () -> builder.route(new TwoAttempts()));

        // then
        assertTrue(failure.getMessage().contains(OneAttempt.class.getName()), failure.getMessage());
    }

    @Test
    void executeRejectsANullExchange() {
        // given
        Pipeline pipeline = Pipeline.builder().addStage(new Answers()).build();

        // when / then
        assertThrows(NullPointerException.class, () -> pipeline.execute(null));
    }

    @Test
    void pipelineCanBeExecutedManyTimes() {
        // given
        provider.reply(ANSWER).reply(ANSWER);
        Pipeline pipeline = Pipeline.builder().addStage(new Recording("a")).route(new OneAttempt()).build();

        // when
        pipeline.execute(Json.chat("m"));
        pipeline.execute(Json.chat("m"));

        // then
        assertEquals(2, provider.calls().size());
    }
}
