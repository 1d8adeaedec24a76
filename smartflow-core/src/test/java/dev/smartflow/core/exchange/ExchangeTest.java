package dev.smartflow.core.exchange;

import static dev.smartflow.core.testing.Json.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExchangeTest {
    private static final Attribute<String> TEAM = Attribute.of("team", String.class);

    @Test
    void freshExchangeIsAnonymousWithoutAttributes() {
        // when
        Exchange exchange = Exchange.of(Operation.CHAT, Body.EMPTY, Headers.EMPTY);

        // then
        assertEquals(Principal.ANONYMOUS, exchange.principal());
        assertFalse(exchange.principal().authenticated());
        assertEquals(0, exchange.attributes().size());
    }

    @Test
    void withLeavesTheOriginalUnchanged() {
        // given
        Exchange exchange = Exchange.of(Operation.CHAT, Body.EMPTY, Headers.EMPTY);

        // when
        Exchange tagged = exchange.with(TEAM, "search");

        // then
        assertEquals(Optional.of("search"), tagged.get(TEAM));
        assertEquals(Optional.empty(), exchange.get(TEAM));
    }

    @Test
    void streamingIsTrueForAChatThatAsksForAStream() {
        // given
        Exchange exchange = Exchange.of(Operation.CHAT, body("{'stream':true}"), Headers.EMPTY);

        // when / then
        assertTrue(exchange.streaming());
    }

    @Test
    void streamingIsFalseForAnOperationThatCannotStream() {
        // given
        Exchange exchange = Exchange.of(Operation.EMBEDDINGS, body("{'stream':true}"), Headers.EMPTY);

        // when / then
        assertFalse(exchange.streaming());
    }

    @Test
    void toStringShowsNeitherBodyNorCredentials() {
        // given
        Exchange exchange = Exchange.of(Operation.CHAT, body("{'content':'my secret prompt'}"),
                Headers.of("authorization", "Bearer sk-token-123"));

        // when
        String text = exchange.toString();

        // then
        assertFalse(text.contains("secret prompt"), text);
        assertFalse(text.contains("sk-token-123"), text);
        assertTrue(text.contains(exchange.id().value()), text);
    }
}
