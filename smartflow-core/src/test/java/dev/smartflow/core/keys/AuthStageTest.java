package dev.smartflow.core.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.error.Unauthorized;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.testing.RecordingChain;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AuthStageTest {
    private static final String KEY = "sk-master-0123456789";

    private final AuthStage stage = new AuthStage(new MasterKeyAuthenticator(KEY));
    private final RecordingChain chain = new RecordingChain();

    private static Exchange withHeaders(String... headers) {
        return Exchange.of(Operation.CHAT, Body.EMPTY, Headers.of(headers));
    }

    @Test
    void bearerTokenIsAccepted() {
        // given
        Exchange exchange = withHeaders("Authorization", "Bearer " + KEY);

        // when
        stage.handle(exchange, chain);

        // then
        assertEquals(Principal.MASTER, chain.onlyExchange().principal());
    }

    @Test
    void bearerSchemeIsCaseInsensitive() {
        // given
        Exchange exchange = withHeaders("authorization", "bearer " + KEY);

        // when
        stage.handle(exchange, chain);

        // then
        assertEquals(Principal.MASTER, chain.onlyExchange().principal());
    }

    @Test
    void xApiKeyIsAccepted() {
        // given
        Exchange exchange = withHeaders("x-api-key", KEY);

        // when
        stage.handle(exchange, chain);

        // then
        assertEquals(Principal.MASTER, chain.onlyExchange().principal());
    }

    @Test
    void acceptedCallReturnsTheRestOfTheChainsAnswer() {
        // given
        Exchange exchange = withHeaders("x-api-key", KEY);

        // when / then
        assertSame(RecordingChain.OK, stage.handle(exchange, chain));
    }

    @Test
    void missingKeyIsRejectedWith401() {
        // given
        Exchange exchange = withHeaders();

        // when
        Unauthorized failure = assertThrows(Unauthorized.class, () -> stage.handle(exchange, chain));

        // then
        assertEquals(401, failure.status());
        assertTrue(failure.getMessage().startsWith("missing API key"), failure.getMessage());
    }

    @Test
    void authorizationHeaderOfAnotherSchemeCountsAsMissing() {
        // given
        Exchange exchange = withHeaders("authorization", "Basic dXNlcjpwYXNz");

        // when
        Unauthorized failure = assertThrows(Unauthorized.class, () -> stage.handle(exchange, chain));

        // then
        assertTrue(failure.getMessage().startsWith("missing API key"), failure.getMessage());
    }

    @Test
    void wrongKeyIsRejectedWith401() {
        // given
        Exchange exchange = withHeaders("authorization", "Bearer sk-wrong-key-777");

        // when
        Unauthorized failure = assertThrows(Unauthorized.class, () -> stage.handle(exchange, chain));

        // then
        assertEquals(401, failure.status());
        assertEquals(Optional.of("invalid_api_key"), failure.code());
    }

    @Test
    void wrongKeyMessageDoesNotRepeatTheToken() {
        // given
        Exchange exchange = withHeaders("x-api-key", "sk-wrong-key-777");

        // when
        Unauthorized failure = assertThrows(Unauthorized.class, () -> stage.handle(exchange, chain));

        // then
        assertFalse(failure.getMessage().contains("sk-wrong-key-777"), failure.getMessage());
        assertFalse(failure.getMessage().contains("777"), failure.getMessage());
    }

    @Test
    void rejectedCallNeverReachesTheRestOfTheChain() {
        // given
        Exchange exchange = withHeaders("x-api-key", "sk-wrong");

        // when
        assertThrows(Unauthorized.class, () -> stage.handle(exchange, chain));

        // then
        assertFalse(chain.wasProceeded());
    }

    @Test
    void alreadyAuthenticatedExchangePassesWithoutAKey() {
        // given
        AtomicInteger asked = new AtomicInteger();
        AuthStage counting = new AuthStage(token -> {
            asked.incrementAndGet();
            return Optional.empty();
        });
        Exchange exchange = withHeaders().withPrincipal(Principal.embedded("app"));

        // when
        counting.handle(exchange, chain);

        // then
        assertSame(exchange, chain.onlyExchange());
        assertEquals(0, asked.get());
    }

    @Test
    void tokenPrefersTheBearerHeaderOverXApiKey() {
        // given
        Headers headers = Headers.of("x-api-key", "from-x-api-key", "authorization", "Bearer from-bearer");

        // when / then
        assertEquals(Optional.of("from-bearer"), AuthStage.token(headers));
    }

    @Test
    void tokenStripsSurroundingWhitespace() {
        // given
        Headers headers = Headers.of("authorization", "  Bearer   sk-1  ");

        // when / then
        assertEquals(Optional.of("sk-1"), AuthStage.token(headers));
    }

    @Test
    void tokenFallsBackToXApiKeyWhenAuthorizationIsNotBearer() {
        // given
        Headers headers = Headers.of("authorization", "Basic abc", "x-api-key", "sk-2");

        // when / then
        assertEquals(Optional.of("sk-2"), AuthStage.token(headers));
    }

    @Test
    void blankXApiKeyIsNoToken() {
        // when / then
        assertEquals(Optional.empty(), AuthStage.token(Headers.of("x-api-key", "   ")));
    }
}
