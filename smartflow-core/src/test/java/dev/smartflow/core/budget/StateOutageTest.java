package dev.smartflow.core.budget;

import static dev.smartflow.core.testing.Json.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.Pipeline;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.cost.CostStage;
import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.cost.TokenPrice;
import dev.smartflow.core.error.BudgetExceeded;
import dev.smartflow.core.error.RateLimited;
import dev.smartflow.core.error.StateUnavailable;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.memory.InMemoryDatabase;
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
import dev.smartflow.core.testing.Json;
import dev.smartflow.core.testing.UnreachableState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What budgets and rate limits do while shared state is unreachable: refuse with 503 (closed, the default), or serve
 * and count in the instance (open), and how shared state catches up once it answers again.
 */
class StateOutageTest {
    /** 1 micro-USD per prompt token, 2 per completion token. */
    private static final Pricing PRICING = (provider, model) -> Optional.of(TokenPrice.perMillion(1_000_000,
            1_000_000, 2_000_000));
    /** What each served call costs: 1 prompt and 1 completion token. */
    private static final long COST = 3;
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    private final FakeTicker ticker = new FakeTicker();
    private final InMemorySharedState shared = new InMemorySharedState(ticker, Runnable::run);
    private final UnreachableState outage = new UnreachableState(shared);
    private final KeyStore store = new InMemoryDatabase().keys();
    private final FakeProvider openai = new FakeProvider("openai");
    private final FakeResolver resolver = new FakeResolver(openai);

    private Pipeline rateLimited(OutageMode onOutage) {
        return Pipeline.builder().addStage(new RateLimitStage(outage.state(), onOutage))
                .route(new RouteStage(resolver)).build();
    }

    private Budgets budgets(OutageMode onOutage) {
        return new Budgets(outage.state(), store, () -> NOW, Duration.ofHours(1), List.of(), onOutage);
    }

    private Pipeline budgeted(Budgets budgets) {
        return Pipeline.builder().addStage(new BudgetStage(budgets, resolver, PRICING))
                .route(new RouteStage(resolver)).addAttemptStage(new CostStage(PRICING)).build();
    }

    private static VirtualKey.Builder key() {
        return VirtualKey.builder(KeyId.of("key_1"), "ci", "team-a", "hash", Instant.parse("2026-01-01T00:00:00Z"));
    }

    private static Exchange call(VirtualKey key) {
        return Exchange.of(Operation.CHAT, body("{'model':'m','max_tokens':10,'messages':[{'role':'user',"
                + "'content':'hi'}]}"), Headers.EMPTY).withPrincipal(Principal.of(key)).with(CostMeter.KEY,
                new CostMeter());
    }

    private void replies(int count) {
        for (int i = 0; i < count; i++) {
            openai.reply(Json.completion("ok", 1, 1));
        }
    }

    private BudgetState sharedBudget(VirtualKey key) {
        return shared.budget(Budgets.budgetKey(key, Budgets.periodKey(key.period(), NOW)));
    }

    @Test
    void aRateLimitedCallIsRefusedWith503WhileStateIsUnreachableByDefault() {
        // given
        Pipeline pipeline = rateLimited(OutageMode.CLOSED);
        outage.down().set(true);

        // when
        StateUnavailable refused = assertThrows(StateUnavailable.class,
                () -> pipeline.execute(call(key().rpmLimit(5).build())));

        // then
        assertEquals(503, refused.status());
        assertEquals(Optional.of("state_unavailable"), refused.code());
        assertTrue(openai.calls().isEmpty());
    }

    @Test
    void aKeyWithoutLimitsIsServedWhileStateIsUnreachable() {
        Pipeline pipeline = rateLimited(OutageMode.CLOSED);
        outage.down().set(true);
        replies(1);

        assertEquals(200, pipeline.execute(call(key().build())).status());
    }

    @Test
    void failingOpenCountsRateLimitsInTheInstance() {
        // given: rpm 2, and shared state down
        Pipeline pipeline = rateLimited(OutageMode.OPEN);
        VirtualKey key = key().rpmLimit(2).build();
        outage.down().set(true);
        replies(2);

        // when
        pipeline.execute(call(key));
        pipeline.execute(call(key));

        // then: the third is over the limit as counted here
        assertThrows(RateLimited.class, () -> pipeline.execute(call(key)));
        assertEquals(2, openai.calls().size());
    }

    @Test
    void aBudgetedCallIsRefusedWith503WhileStateIsUnreachableByDefault() {
        Pipeline pipeline = budgeted(budgets(OutageMode.CLOSED));
        outage.down().set(true);

        assertThrows(StateUnavailable.class, () -> pipeline.execute(call(key().budget(1_000, BudgetPeriod.MONTHLY)
                .build())));
        assertTrue(openai.calls().isEmpty());
    }

    @Test
    void failingOpenHoldsTheBudgetAgainstTheDurableSpend() {
        // given: the key has spent all but 5 micro-USD, as the durable store knows; shared state is down
        VirtualKey key = key().budget(100, BudgetPeriod.MONTHLY).build();
        store.addSpend(key.id(), "2026-11", 95);
        Pipeline pipeline = budgeted(budgets(OutageMode.OPEN));
        outage.down().set(true);

        // when / then: the worst case (7 prompt tokens + 10 completion tokens) does not fit
        assertThrows(BudgetExceeded.class, () -> pipeline.execute(call(key)));
        assertTrue(openai.calls().isEmpty());
    }

    @Test
    void spendCountedInTheInstanceReachesSharedStateWhenItAnswersAgain() {
        // given: one call served while shared state was down
        VirtualKey key = key().budget(1_000, BudgetPeriod.MONTHLY).build();
        Budgets budgets = budgets(OutageMode.OPEN);
        Pipeline pipeline = budgeted(budgets);
        replies(2);
        outage.down().set(true);
        assertEquals(200, pipeline.execute(call(key)).status());
        assertEquals(BudgetState.EMPTY, sharedBudget(key));

        // when: it answers again, and the next call comes
        outage.down().set(false);
        pipeline.execute(call(key));

        // then: shared state holds both calls, the durable store too
        assertEquals(new BudgetState(2 * COST, 0), sharedBudget(key));
        budgets.flush();
        assertEquals(2 * COST, store.spend(key.id(), "2026-11"));
    }

    @Test
    void aCallThatEndsDuringAnOutageIsServedAndSettledOnceStateAnswers() {
        // given: shared state goes away while the call is upstream
        VirtualKey key = key().budget(1_000, BudgetPeriod.MONTHLY).build();
        Budgets budgets = budgets(OutageMode.CLOSED);
        Pipeline pipeline = budgeted(budgets);
        openai.answer(exchange -> {
            outage.down().set(true);
            return Json.completion("ok", 1, 1);
        });
        replies(1);

        // when
        int status = pipeline.execute(call(key)).status();

        // then: served, though its hold is still open in shared state
        assertEquals(200, status);
        assertTrue(sharedBudget(key).reservedMicros() > 0);

        // and: the next call, once shared state answers, settles it first
        outage.down().set(false);
        pipeline.execute(call(key));
        assertEquals(new BudgetState(2 * COST, 0), sharedBudget(key));
    }

    @Test
    void theLogHearsOfAnOutageOnceAndOfItsEndOnce() {
        OutageNotice notice = new OutageNotice("budgets");
        StateUnavailable cause = new StateUnavailable("test outage", null);

        assertFalse(notice.sharedAgain());
        notice.countingLocally(cause);
        notice.countingLocally(cause);
        assertTrue(notice.sharedAgain());
        assertFalse(notice.sharedAgain());
    }
}
