package dev.smartflow.core.budget;

import static dev.smartflow.core.testing.Json.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.Pipeline;
import dev.smartflow.core.error.RateLimited;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.routing.RouteStage;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.core.testing.FakeProvider;
import dev.smartflow.core.testing.FakeResolver;
import dev.smartflow.core.testing.FakeTicker;
import dev.smartflow.core.testing.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RateLimitStageTest {
    private final FakeTicker ticker = new FakeTicker();
    private final InMemorySharedState state = new InMemorySharedState(ticker, Runnable::run);
    private final FakeProvider openai = new FakeProvider("openai");
    private final Pipeline pipeline = Pipeline.builder()
            .addStage(new RateLimitStage(state))
            .route(new RouteStage(new FakeResolver(openai)))
            .build();

    private static VirtualKey.Builder key() {
        return VirtualKey.builder(KeyId.of("key_1"), "ci", "team-a", "hash", Instant.parse("2026-01-01T00:00:00Z"));
    }

    private static Exchange call(VirtualKey key) {
        return Exchange.of(Operation.CHAT, body("{'model':'m','messages':[{'role':'user','content':'hi'}]}"),
                Headers.EMPTY).withPrincipal(Principal.of(key));
    }

    @Test
    void requestOverTheRpmLimitIsRefusedWithRetryAfter() {
        // given
        VirtualKey key = key().rpmLimit(2).build();
        openai.reply(Json.completion("a", 1, 1)).reply(Json.completion("b", 1, 1));
        pipeline.execute(call(key));
        ticker.advance(Duration.ofSeconds(20));
        pipeline.execute(call(key));

        // when
        RateLimited limited = assertThrows(RateLimited.class, () -> pipeline.execute(call(key)));

        // then: the first hit leaves the window 40 s later
        assertEquals(429, limited.status());
        assertEquals("rate_limit_error", limited.type());
        assertEquals(Optional.of("rate_limit_exceeded"), limited.code());
        assertEquals(Duration.ofSeconds(40), limited.retryAfter());
        assertEquals(Optional.of("40"), limited.headers().get("retry-after"));
        assertEquals(Optional.of("2"), limited.headers().get("x-ratelimit-limit-requests"));
        assertEquals(Optional.of("0"), limited.headers().get("x-ratelimit-remaining-requests"));
        assertEquals(2, openai.calls().size());
    }

    @Test
    void theWindowSlides() {
        VirtualKey key = key().rpmLimit(1).build();
        openai.reply(Json.completion("a", 1, 1)).reply(Json.completion("b", 1, 1));
        pipeline.execute(call(key));

        ticker.advance(Duration.ofMinutes(1));

        assertEquals(200, pipeline.execute(call(key)).status());
    }

    @Test
    void tokensOverTheTpmLimitAreRefusedByThePromptEstimate() {
        // given: a prompt estimated above the limit
        VirtualKey key = key().tpmLimit(5).build();

        // when
        RateLimited limited = assertThrows(RateLimited.class, () -> pipeline.execute(call(key)));

        // then
        assertEquals(RateLimited.Unit.TOKENS, limited.unit());
        assertEquals(Optional.of("5"), limited.headers().get("x-ratelimit-limit-tokens"));
        assertTrue(openai.calls().isEmpty());
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUp() {
        RateLimited limited = new RateLimited(Duration.ofMillis(1500), RateLimited.Unit.REQUESTS, 1, 0);

        assertEquals(Optional.of("2"), limited.headers().get("retry-after"));
    }

    @Test
    void aModulesOperationsCountAgainstTheRpmLimitButNotTheTpmLimit() {
        ModuleOperation search = new ModuleOperation("vector_stores.search", "/v1/vector_stores/{id}/search", false,
                false);
        Pipeline modules = Pipeline.builder()
                .addStage(new RateLimitStage(state))
                .addStage((exchange, chain) -> exchange.operation() == search
                        ? Response.Complete.json(body("{'results':[]}")) : chain.proceed(exchange))
                .route(new RouteStage(new FakeResolver(openai)))
                .build();
        VirtualKey key = key().rpmLimit(2).tpmLimit(1).build();
        Exchange call = Exchange.of(search, body("{'query':'" + "long question ".repeat(100) + "'}"), Headers.EMPTY)
                .withPrincipal(Principal.of(key));

        assertEquals(200, modules.execute(call).status());
        assertEquals(200, modules.execute(call).status());
        RateLimited limited = assertThrows(RateLimited.class, () -> modules.execute(call));

        assertEquals(RateLimited.Unit.REQUESTS, limited.unit());
    }

    @Test
    void keysWithoutLimitsPass() {
        openai.reply(Json.completion("a", 1, 1));

        assertEquals(200, pipeline.execute(call(key().build())).status());
    }

    @Test
    void aToolCallAndAnUnbilledModuleOperationBothCountAsRequestsButNotAsTokens() {
        VirtualKey key = key().rpmLimit(1).tpmLimit(1).build();
        ModuleOperation toolCall = new ModuleOperation("mcp.rpc", "/mcp", true, false);
        ModuleOperation catalog = new ModuleOperation("mcp.tools", "/api/mcp/tools", false, false);
        Pipeline module = Pipeline.builder().addStage(new RateLimitStage(state))
                .addStage((exchange, chain) -> Response.Complete.json(Body.json("{}")))
                .route(new RouteStage(new FakeResolver(openai))).build();
        Exchange call = Exchange.of(toolCall, Body.json("{\"arguments\":\"" + "x".repeat(100) + "\"}"),
                Headers.EMPTY).withPrincipal(Principal.of(key));

        // a 100-character argument is far over the 1-token limit: only the request count refuses
        assertEquals(200, module.execute(call).status());
        assertThrows(RateLimited.class, () -> module.execute(call));
        // every module operation is a request, billed or not (a catalog read, a vector search)
        assertThrows(RateLimited.class, () -> module.execute(Exchange.of(catalog, Body.EMPTY, Headers.EMPTY)
                .withPrincipal(Principal.of(key))));
    }
}
