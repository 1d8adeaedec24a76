package dev.smartflow.core.budget;

import static dev.smartflow.core.testing.Json.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.Pipeline;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.cost.CostStage;
import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.cost.TokenPrice;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.routing.RouteStage;
import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.core.testing.FakeProvider;
import dev.smartflow.core.testing.FakeResolver;
import dev.smartflow.core.testing.FakeTicker;
import dev.smartflow.core.testing.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SpendListenerTest {
    /** 1 micro-USD per prompt token, 2 per completion token. */
    private static final Pricing PRICING = (provider, model) -> model.equals("m")
            ? Optional.of(TokenPrice.perMillion(1_000_000, 1_000_000, 2_000_000)) : Optional.empty();

    private final InstantSource clock = InstantSource.fixed(Instant.parse("2026-11-23T10:00:00Z"));
    private final FakeTicker ticker = new FakeTicker();
    private final InMemorySharedState state = new InMemorySharedState(ticker, Runnable::run);
    private final KeyStore store = new InMemoryDatabase().keys();
    private final List<KeySpend> told = new CopyOnWriteArrayList<>();
    /** A flush interval long enough that only the test flushes. */
    private final Budgets budgets = new Budgets(state, store, clock, Duration.ofHours(1),
            List.of(spend -> {
                throw new IllegalStateException("a broken listener");
            }, told::add));
    private final FakeProvider openai = new FakeProvider("openai");
    private final FakeResolver resolver = new FakeResolver(openai);
    private final Pipeline pipeline = Pipeline.builder()
            .addStage(new BudgetStage(budgets, resolver, PRICING))
            .route(new RouteStage(resolver))
            .addAttemptStage(new CostStage(PRICING))
            .build();

    @AfterEach
    void close() {
        budgets.close();
    }

    private static VirtualKey key(String id, long budgetMicros) {
        return VirtualKey.builder(KeyId.of(id), "ci-" + id, "team-a", "hash", Instant.parse("2026-01-01T00:00:00Z"))
                .budget(budgetMicros, BudgetPeriod.MONTHLY).build();
    }

    private void call(VirtualKey key, int prompt, int completion) {
        openai.reply(Json.completion("hi", prompt, completion));
        Exchange exchange = Exchange.of(Operation.CHAT, body("{'model':'m','max_tokens':10,"
                + "'messages':[{'role':'user','content':'hello'}]}"), Headers.EMPTY);
        pipeline.execute(exchange.withPrincipal(Principal.of(key)).with(CostMeter.KEY, new CostMeter()));
    }

    @Test
    void settledSpendReachesListenersOnTheFlushNotOnTheRequest() {
        // given: 3 prompt + 5 completion tokens = 13 micro-USD
        VirtualKey key = key("key_1", 1_000);

        // when
        call(key, 3, 5);

        // then
        assertTrue(told.isEmpty(), "the request itself tells no one");
        budgets.flush();
        assertEquals(List.of(new KeySpend(key.id(), "ci-key_1", BudgetPeriod.MONTHLY, "2026-11", 13,
                OptionalLong.of(1_000))), told);
    }

    @Test
    void manyCallsBetweenFlushesAreToldOnceWithTheirTotal() {
        // given
        VirtualKey key = key("key_1", 1_000);

        // when: 13 + 13 + 5 micro-USD
        call(key, 3, 5);
        call(key, 3, 5);
        call(key, 1, 2);
        budgets.flush();

        // then
        assertEquals(1, told.size());
        assertEquals(31, told.getFirst().spentMicros());
    }

    @Test
    void eachKeyIsToldItsOwnSpend() {
        // given
        VirtualKey first = key("key_1", 1_000);
        VirtualKey second = key("key_2", 2_000);

        // when
        call(first, 3, 5);
        call(second, 1, 2);
        budgets.flush();

        // then
        assertEquals(2, told.size());
        assertEquals(13, told.stream().filter(s -> s.keyId().equals(first.id())).findFirst().orElseThrow()
                .spentMicros());
        assertEquals(5, told.stream().filter(s -> s.keyId().equals(second.id())).findFirst().orElseThrow()
                .spentMicros());
    }

    @Test
    void aFlushWithNothingSettledTellsNoOne() {
        // given
        call(key("key_1", 1_000), 3, 5);
        budgets.flush();
        told.clear();

        // when
        budgets.flush();

        // then
        assertTrue(told.isEmpty());
    }

    @Test
    void resetTellsZeroAtOnce() {
        // given
        VirtualKey key = key("key_1", 1_000);
        call(key, 3, 5);
        budgets.flush();
        told.clear();

        // when
        budgets.reset(key);

        // then
        assertEquals(List.of(new KeySpend(key.id(), "ci-key_1", BudgetPeriod.MONTHLY, "2026-11", 0,
                OptionalLong.of(1_000))), told);
    }

    @Test
    void closingTellsWhatSettledSinceTheLastFlush() {
        // given
        VirtualKey key = key("key_1", 1_000);
        call(key, 3, 5);

        // when
        budgets.close();

        // then
        assertEquals(1, told.size());
        assertEquals(13, told.getFirst().spentMicros());
    }

    @Test
    void fractionIsSpentOverLimit() {
        KeySpend spend = new KeySpend(KeyId.of("k"), "k", BudgetPeriod.DAILY, "2026-11-23", 250, OptionalLong.of(1_000));

        assertEquals(0.25, spend.fraction().orElseThrow());
        assertTrue(new KeySpend(KeyId.of("k"), "k", BudgetPeriod.DAILY, "2026-11-23", 250, OptionalLong.empty())
                .fraction().isEmpty());
    }
}
