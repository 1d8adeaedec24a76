package dev.smartflow.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.Pipeline;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.PermissionDenied;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Attempt;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.core.testing.FakeProvider;
import dev.smartflow.core.testing.FakeResolver;
import dev.smartflow.core.testing.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteStageTest {
    private final FakeProvider openai = new FakeProvider("openai");
    private final FakeProvider groq = new FakeProvider("groq");
    private final Pipeline pipeline = Pipeline.builder().route(new RouteStage(new FakeResolver(openai, groq))).build();

    @Test
    void aKeyRestrictedToOtherProvidersIsDeniedWith403AndNothingIsCalled() {
        // given
        VirtualKey key = VirtualKey.builder(KeyId.of("key_1"), "ci", "team-a", "hash", Instant.EPOCH)
                .allowedProviders(Set.of("groq")).build();
        Exchange exchange = Json.chat("gpt-4o-mini").withPrincipal(Principal.of(key));

        // when
        PermissionDenied denied = assertThrows(PermissionDenied.class, () -> pipeline.execute(exchange));

        // then
        assertEquals(403, denied.status());
        assertEquals("provider_not_allowed", denied.code().orElseThrow());
        assertTrue(openai.calls().isEmpty());
        assertTrue(groq.calls().isEmpty());
    }

    @Test
    void aKeyMayCallAProviderItAllows() {
        // given
        VirtualKey key = VirtualKey.builder(KeyId.of("key_1"), "ci", "team-a", "hash", Instant.EPOCH)
                .allowedProviders(Set.of("groq")).build();
        groq.reply(Json.completion("hi", 1, 1));

        // when
        pipeline.execute(Json.chat("groq/llama-3.3-70b").withPrincipal(Principal.of(key)));

        // then
        assertEquals("llama-3.3-70b", groq.onlyCall().model());
    }

    @Test
    void providerReceivesTheTargetModelWithoutItsPrefix() {
        // given
        groq.reply(Json.completion("hi", 1, 1));

        // when
        pipeline.execute(Json.chat("groq/llama-3.3-70b"));

        // then
        assertEquals("llama-3.3-70b", groq.onlyCall().model());
        assertTrue(openai.calls().isEmpty());
    }

    @Test
    void providerReceivesTheExchangeWithTheCallersBody() {
        // given
        groq.reply(Json.completion("hi", 1, 1));
        Exchange exchange = Json.chat("groq/llama-3.3-70b");

        // when
        pipeline.execute(exchange);

        // then
        Exchange seen = groq.onlyCall().exchange();
        assertSame(exchange.body(), seen.body());
        assertEquals(exchange.id(), seen.id());
    }

    @Test
    void providerSeesTheFirstAttempt() {
        // given
        groq.reply(Json.completion("hi", 1, 1));

        // when
        pipeline.execute(Json.chat("groq/llama-3.3-70b"));

        // then
        Attempt attempt = groq.onlyCall().exchange().get(Attempt.KEY).orElseThrow();
        assertEquals(new Attempt(groq, "llama-3.3-70b", 1), attempt);
    }

    @Test
    void responseNamesTheProviderAndModelThatServedIt() {
        // given
        groq.reply(Json.completion("hi", 1, 1));

        // when
        Response response = pipeline.execute(Json.chat("groq/llama-3.3-70b"));

        // then
        assertEquals(Optional.of("groq"), response.headers().get(RouteStage.PROVIDER));
        assertEquals(Optional.of("llama-3.3-70b"), response.headers().get(RouteStage.MODEL));
    }

    @Test
    void responseBodyIsTheProvidersAnswer() {
        // given
        Response.Complete answer = Json.completion("hi", 1, 1);
        groq.reply(answer);

        // when
        Response response = pipeline.execute(Json.chat("groq/llama-3.3-70b"));

        // then
        assertSame(answer.body(), ((Response.Complete) response).body());
    }

    @Test
    void attemptStagesSeeTheResolvedTarget() {
        // given
        openai.reply(Json.completion("hi", 1, 1));
        List<Attempt> seen = new ArrayList<>();
        Pipeline withAttemptStage = Pipeline.builder()
                .route(new RouteStage(new FakeResolver(openai, groq)))
                .addAttemptStage((exchange, chain) -> {
                    seen.add(chain.attempt().orElseThrow());
                    return chain.proceed(exchange);
                })
                .build();

        // when
        withAttemptStage.execute(Json.chat("gpt-4o-mini"));

        // then
        assertEquals(List.of(new Attempt(openai, "gpt-4o-mini", 1)), seen);
    }

    @Test
    void resolversInvalidRequestReachesTheCaller() {
        // when
        InvalidRequest failure =
                assertThrows(InvalidRequest.class, () -> pipeline.execute(Json.chat("nosuch/model")));

        // then
        assertEquals(400, failure.status());
        assertEquals(Optional.of("model"), failure.param());
    }

    @Test
    void unresolvableModelNeverReachesAProvider() {
        // when
        assertThrows(InvalidRequest.class, () -> pipeline.execute(Json.chat("nosuch/model")));

        // then
        assertTrue(openai.calls().isEmpty());
        assertTrue(groq.calls().isEmpty());
    }

    @Test
    void providersFailureReachesTheCallerUnchanged() {
        // given
        UpstreamFailure upstream = UpstreamFailure.status("groq", 400, "context too long", null, null);
        groq.fail(upstream);

        // when
        UpstreamFailure failure =
                assertThrows(UpstreamFailure.class, () -> pipeline.execute(Json.chat("groq/llama-3.3-70b")));

        // then
        assertSame(upstream, failure);
    }

    @Test
    void exchangeWithoutAModelIsRejectedWith400EvenWithoutValidation() {
        // given
        Exchange exchange = Exchange.of(Operation.CHAT, Body.json("{}"), Headers.EMPTY);

        // when
        InvalidRequest failure = assertThrows(InvalidRequest.class, () -> pipeline.execute(exchange));

        // then
        assertEquals(400, failure.status());
        assertEquals("model", failure.param().orElseThrow());
    }
}
