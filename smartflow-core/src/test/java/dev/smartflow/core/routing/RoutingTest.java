package dev.smartflow.core.routing;

import static dev.smartflow.core.testing.Json.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.audit.AuditListener;
import dev.smartflow.core.cost.TokenPrice;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.PermissionDenied;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.Provider;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.core.testing.FakeResolver;
import dev.smartflow.core.testing.FakeTicker;
import dev.smartflow.core.testing.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The route stage in a whole pipeline: chains, strategies, retries, backoff, circuits, forcing, streams. */
class RoutingTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    private final FakeTicker ticker = new FakeTicker();
    private final InMemorySharedState state = new InMemorySharedState(ticker, Runnable::run);
    private final InMemoryDatabase database = new InMemoryDatabase();
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final List<AuditRecord> records = new CopyOnWriteArrayList<>();
    private final Target failing = new Target("openai", exchange -> {
        throw UpstreamFailure.status("openai", 500, "boom", null, null);
    });
    private final Target groq = new Target("groq", exchange -> Json.completion("from groq", 3, 2));
    private final Target mistral = new Target("mistral", exchange -> Json.completion("from mistral", 3, 2));
    private final FakeResolver resolver = new FakeResolver(failing, groq, mistral);
    private final Routing routing = Routing.builder(resolver).sharedState(state).chains(database.chains())
            .clock(now::get).ticker(ticker).random(new SplittableRandom(1)).reloads(Runnable::run)
            .sleeper(wait -> {
                waits.add(wait);
                advance(wait);
            })
            .pricing((provider, model) -> Optional.of(switch (provider) {
                case "openai" -> TokenPrice.perMillion(5_000_000, 0, 15_000_000);
                case "groq" -> TokenPrice.perMillion(1_000_000, 0, 1_000_000);
                default -> TokenPrice.perMillion(2_000_000, 0, 6_000_000);
            })).build();
    private final Smartflow smartflow = Smartflow.builder().resolver(resolver).routing(routing)
            .sharedState(state).keyStore(database.keys()).clock(now::get).ticker(ticker)
            .pricing(routing.pricing()).addAuditListener((AuditListener) records::add).build();

    /** A provider whose every call runs {@code answer}, counted. */
    private static final class Target implements Provider {
        final String name;
        final Function<Exchange, Response> answer;
        final AtomicInteger calls = new AtomicInteger();

        Target(String name, Function<Exchange, Response> answer) {
            this.name = name;
            this.answer = answer;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean available() {
            return true;
        }

        @Override
        public Response call(Exchange exchange, String model) {
            calls.incrementAndGet();
            return answer.apply(exchange);
        }

        @Override
        public List<JsonNode> models() {
            return List.of();
        }
    }

    private void advance(Duration duration) {
        now.set(now.get().plus(duration));
        ticker.advance(duration);
    }

    private static Exchange chat(String model) {
        return Exchange.of(Operation.CHAT, body("{'model':'" + model + "','max_tokens':10,"
                + "'messages':[{'role':'user','content':'hi'}]}"), Headers.EMPTY);
    }

    private FallbackChain chain(Strategy strategy) {
        FallbackChain chain = FallbackChain.of("prod", List.of(ChainTarget.of("openai", "gpt-4o"),
                ChainTarget.of("groq", "llama"), ChainTarget.of("mistral", "large"))).withStrategy(strategy);
        routing.chains().orElseThrow().put(chain);
        return chain;
    }

    @Test
    void aThreeTargetChainWithOneFailingTargetServesEveryCallUnderEveryStrategy() {
        for (Strategy strategy : Strategy.values()) {
            chain(strategy);
            for (int i = 0; i < 20; i++) {
                Response answer = smartflow.execute(chat("prod"));

                assertEquals(200, answer.status(), strategy.wireName());
                String provider = answer.headers().get(RouteStage.PROVIDER).orElseThrow();
                assertTrue(Set.of("groq", "mistral").contains(provider), strategy + " answered by " + provider);
            }
        }
    }

    @Test
    void theAnswerNamesTheTargetThatServedItAndHowManyAttemptsItTook() {
        chain(Strategy.PRIORITY);

        Response answer = smartflow.execute(chat("prod"));

        assertEquals(Optional.of("groq"), answer.headers().get(RouteStage.PROVIDER));
        assertEquals(Optional.of("llama"), answer.headers().get(RouteStage.MODEL));
        assertEquals(Optional.of("2"), answer.headers().get(RouteStage.ATTEMPTS));
        assertEquals(1, failing.calls.get());
        assertTrue(waits.isEmpty(), "a fresh target is tried at once: " + waits);
        AuditRecord record = records.getLast();
        assertEquals("groq", record.provider());
        assertEquals(200, record.status());
        assertEquals(List.of("openai", "groq"), record.attempts().stream().map(AttemptOutcome::provider).toList());
        assertEquals(Optional.of("upstream_error"), record.attempts().get(0).error());
        assertEquals(500, record.attempts().get(0).status());
        assertFalse(record.attempts().get(1).failed());
    }

    @Test
    void anErrorOutsideRetryOnReturnsAtOnce() {
        Target refusing = new Target("openai", e -> {
            throw UpstreamFailure.status("openai", 400, "bad request", null, null);
        });
        Smartflow pipeline = Smartflow.builder().resolver(new FakeResolver(refusing, groq)).routing(
                Routing.builder(new FakeResolver(refusing, groq)).chains(database.chains()).reloads(Runnable::run)
                        .build()).build();
        pipeline.routing().chains().orElseThrow().put(FallbackChain.of("c", List.of(ChainTarget.of("openai", "m"),
                ChainTarget.of("groq", "m"))));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> pipeline.execute(chat("c")));

        assertEquals(400, failure.status());
        assertEquals(0, groq.calls.get());
    }

    @Test
    void anExhaustedChainIsA503ListingEveryAttemptWithoutSecrets() {
        routing.chains().orElseThrow().put(FallbackChain.of("down", List.of(ChainTarget.of("openai", "a"),
                ChainTarget.of("openai", "b"))).withRetries(Set.of(500), 3, Duration.ofMillis(100)));

        SmartflowException failure = assertThrows(SmartflowException.class, () -> smartflow.execute(chat("down")));

        assertEquals(503, failure.status());
        assertEquals(Optional.of("chain_exhausted"), failure.code());
        assertEquals(4, failing.calls.get(), "max_retries 3: four attempts, wrapping round the two targets");
        assertTrue(failure.getMessage().contains("openai/a: 500 upstream_error"), failure.getMessage());
        assertTrue(failure.getMessage().contains("openai/b: 500"), failure.getMessage());
        assertEquals(2, waits.size(), "only tries of a target already tried wait: " + waits);
        assertTrue(waits.get(0).toMillis() <= 100 && waits.get(1).toMillis() <= 200, "jittered under 100 << k: "
                + waits);
        AuditRecord record = records.getLast();
        assertEquals(503, record.status());
        assertEquals(Optional.of("chain_exhausted"), record.error());
    }

    @Test
    void aRetryOfTheSameTargetWaitsAtLeastItsRetryAfter() {
        AtomicInteger calls = new AtomicInteger();
        Target limited = new Target("openai", e -> {
            if (calls.incrementAndGet() == 1) {
                throw UpstreamFailure.status("openai", 429, "slow down", null, null)
                        .withRetryAfter(Optional.of(Duration.ofSeconds(2)));
            }
            return Json.completion("ok", 1, 1);
        });
        Smartflow pipeline = pipeline(limited);
        pipeline.routing().chains().orElseThrow().put(FallbackChain.of("one", List.of(ChainTarget.of("openai", "m")))
                .withRetries(Set.of(429), 1, Duration.ofMillis(10)));

        Response answer = pipeline.execute(chat("one"));

        assertEquals(200, answer.status());
        assertEquals(List.of(Duration.ofSeconds(2)), waits);
    }

    @Test
    void noAttemptStartsAfterTheChainsDeadline() {
        Target slow = new Target("openai", e -> {
            advance(Duration.ofSeconds(3));
            throw UpstreamFailure.timeout("openai", null);
        });
        Smartflow pipeline = pipeline(slow);
        pipeline.routing().chains().orElseThrow().put(FallbackChain.of("slow", List.of(ChainTarget.of("openai", "a"),
                ChainTarget.of("openai", "b"), ChainTarget.of("openai", "c"))).withDeadline(Duration.ofSeconds(5)));

        SmartflowException failure = assertThrows(SmartflowException.class, () -> pipeline.execute(chat("slow")));

        assertEquals(503, failure.status());
        assertEquals(2, slow.calls.get(), "the third would start after 6 s of a 5 s deadline");
        assertTrue(failure.getMessage().contains("deadline"), failure.getMessage());
    }

    @Test
    void aTargetWhoseCircuitOpenedIsSkippedUntilItsProbe() {
        chain(Strategy.PRIORITY);
        for (int i = 0; i < CircuitSettings.DEFAULTS.consecutiveFailures(); i++) {
            smartflow.execute(chat("prod"));
        }
        int failed = failing.calls.get();

        for (int i = 0; i < 10; i++) {
            assertEquals(Optional.of("1"), smartflow.execute(chat("prod")).headers().get(RouteStage.ATTEMPTS));
        }
        assertEquals(failed, failing.calls.get(), "open: not called");

        advance(CircuitSettings.DEFAULTS.openFor().plusSeconds(1));
        smartflow.execute(chat("prod"));
        assertEquals(failed + 1, failing.calls.get(), "half-open: one probe");
    }

    @Test
    void aPlainModelIsAlwaysTriedAndKeepsItsOwnError() {
        for (int i = 0; i < 10; i++) {
            UpstreamFailure failure = assertThrows(UpstreamFailure.class, () -> smartflow.execute(chat("openai/m")));
            assertEquals(502, failure.status());
        }
        assertEquals(10, failing.calls.get());
    }

    @Test
    void aForcedProviderTakesEveryCallUntilItExpiresOrIsCleared() {
        chain(Strategy.PRIORITY);
        routing.forced().force("mistral", Duration.ofMinutes(10));

        assertEquals(Optional.of("mistral"), smartflow.execute(chat("prod")).headers().get(RouteStage.PROVIDER));
        assertEquals(Optional.of("mistral"), smartflow.execute(chat("groq/llama")).headers()
                .get(RouteStage.PROVIDER), "a plain model goes to the forced provider too");

        advance(Duration.ofMinutes(10));
        assertEquals(Optional.of("groq"), smartflow.execute(chat("groq/llama")).headers().get(RouteStage.PROVIDER));

        routing.forced().force("mistral", Duration.ofMinutes(10));
        assertTrue(routing.forced().clear());
        assertEquals(Optional.of("groq"), smartflow.execute(chat("groq/llama")).headers().get(RouteStage.PROVIDER));
    }

    @Test
    void aKeyRestrictedToSomeProvidersSkipsTheOthersAndIsRefusedWhenNoneRemain() {
        chain(Strategy.PRIORITY);
        VirtualKey mistralOnly = VirtualKey.builder(KeyId.of("k"), "n", "o", "h", now.get())
                .allowedProviders(Set.of("mistral")).build();
        VirtualKey nobody = VirtualKey.builder(KeyId.of("k2"), "n", "o", "h2", now.get())
                .allowedProviders(Set.of("cohere")).build();

        Response answer = smartflow.execute(chat("prod").withPrincipal(Principal.of(mistralOnly)));

        assertEquals(Optional.of("mistral"), answer.headers().get(RouteStage.PROVIDER));
        assertEquals(0, failing.calls.get());
        assertThrows(PermissionDenied.class, () -> smartflow.execute(chat("prod").withPrincipal(Principal.of(nobody))));
    }

    @Test
    void aStreamThatFailsBeforeItsFirstChunkFailsOver() {
        Target brokenStream = new Target("openai", e -> new Response.Streamed(200, Headers.EMPTY, failingAfter(0)));
        Target goodStream = new Target("groq", e -> new Response.Streamed(200, Headers.EMPTY,
                ChunkStream.of(List.of(Chunk.data(Body.json("{\"n\":1}")), Chunk.data(Body.json("{\"n\":2}"))))));
        Smartflow pipeline = pipeline(brokenStream, goodStream);
        pipeline.routing().chains().orElseThrow().put(FallbackChain.of("s", List.of(ChainTarget.of("openai", "m"),
                ChainTarget.of("groq", "m"))));

        Response.Streamed answer = assertInstanceOf(Response.Streamed.class, pipeline.execute(chat("s")));
        List<String> data = new ArrayList<>();
        answer.chunks().forEachRemaining(chunk -> data.add(chunk.data().utf8()));

        assertEquals(Optional.of("groq"), answer.headers().get(RouteStage.PROVIDER));
        assertEquals(List.of("{\"n\":1}", "{\"n\":2}"), data);
    }

    @Test
    void aStreamThatBreaksAfterItsFirstChunkIsNotRetriedAndChargesItsTarget() {
        Target breaks = new Target("openai", e -> new Response.Streamed(200, Headers.EMPTY, failingAfter(1)));
        Smartflow pipeline = pipeline(breaks, groq);
        pipeline.routing().chains().orElseThrow().put(FallbackChain.of("s", List.of(ChainTarget.of("openai", "m"),
                ChainTarget.of("groq", "m"))));

        Response.Streamed answer = assertInstanceOf(Response.Streamed.class, pipeline.execute(chat("s")));
        ChunkStream chunks = answer.chunks();
        assertTrue(chunks.hasNext());
        chunks.next();
        assertThrows(UpstreamFailure.class, chunks::hasNext);

        assertEquals(0, groq.calls.get());
        assertEquals(Optional.of("openai"), answer.headers().get(RouteStage.PROVIDER));
        assertEquals("openai", pipeline.routing().health().lastFailure().orElseThrow().provider());
    }

    @Test
    void theBudgetHoldsTheWorstCaseOfTheDearestTargetOfThePlan() {
        chain(Strategy.PRIORITY);
        // 10 completion tokens at openai's 15 USD/M are the dearest; groq would cost 1/15 of that
        VirtualKey key = VirtualKey.builder(KeyId.of("k"), "n", "o", "h", now.get())
                .budget(100, BudgetPeriod.MONTHLY).build();
        database.keys().create(key);

        SmartflowException refused = assertThrows(SmartflowException.class,
                () -> smartflow.execute(chat("prod").withPrincipal(Principal.of(key))));

        assertEquals(429, refused.status());
        assertEquals(0, failing.calls.get() + groq.calls.get(), "refused before any target");
    }

    @Test
    void aPlainModelFallsBackToTheKeysChain() {
        chain(Strategy.PRIORITY);
        VirtualKey key = VirtualKey.builder(KeyId.of("k"), "n", "o", "h", now.get())
                .tags(Map.of(VirtualKey.FALLBACK_CHAIN_TAG, "prod")).build();

        Response answer = smartflow.execute(chat("openai/gpt-4o-mini").withPrincipal(Principal.of(key)));

        // the requested model first, then the chain: openai/gpt-4o fails too, then groq serves
        assertEquals(Optional.of("groq"), answer.headers().get(RouteStage.PROVIDER));
        assertEquals(Optional.of("3"), answer.headers().get(RouteStage.ATTEMPTS));
        assertEquals(2, failing.calls.get());
    }

    @Test
    void anUnknownChainOrModelIsA400BeforeAnything() {
        assertThrows(InvalidRequest.class, () -> smartflow.execute(chat("nope/model")));
        assertFalse(records.isEmpty());
        assertEquals(400, records.getLast().status());
    }

    private Smartflow pipeline(Provider... providers) {
        FakeResolver own = new FakeResolver(providers);
        return Smartflow.builder().resolver(own).routing(Routing.builder(own).sharedState(state)
                .chains(new InMemoryDatabase().chains()).clock(now::get).ticker(ticker).reloads(Runnable::run)
                .random(new SplittableRandom(3)).sleeper(wait -> {
                    waits.add(wait);
                    advance(wait);
                }).build()).build();
    }

    /** A stream that yields {@code chunks} chunks, then fails as a broken upstream connection. */
    private static ChunkStream failingAfter(int chunks) {
        return new ChunkStream() {
            private int sent;

            @Override
            public boolean hasNext() {
                if (sent < chunks) {
                    return true;
                }
                throw UpstreamFailure.io("openai", "connection lost", null);
            }

            @Override
            public Chunk next() {
                sent++;
                return Chunk.data(Body.json("{\"n\":" + sent + "}"));
            }

            @Override
            public void close() {
            }
        };
    }
}
