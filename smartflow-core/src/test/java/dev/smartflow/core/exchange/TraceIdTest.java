package dev.smartflow.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TraceIdTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void fromTraceparentReadsTheTraceIdOfAValidHeader() {
        // given
        String header = "00-" + TRACE + "-00f067aa0ba902b7-01";

        // when
        TraceId id = TraceId.fromTraceparent(header);

        // then
        assertEquals(TRACE, id.value());
    }

    @Test
    void fromTraceparentReplacesAnAllZeroTraceId() {
        // given
        String zero = "0".repeat(32);

        // when
        TraceId id = TraceId.fromTraceparent("00-" + zero + "-00f067aa0ba902b7-01");

        // then
        assertNotEquals(zero, id.value());
        assertTrue(id.value().matches("[0-9a-f]{32}"), id.value());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
            "00-4bf92f3577b34da6a3ce929d0e0e47zz-00f067aa0ba902b7-01",
            "garbage"})
    void fromTraceparentReplacesAnInvalidHeader(String header) {
        // when
        TraceId id = TraceId.fromTraceparent(header);

        // then
        assertNotEquals(TRACE, id.value());
        assertTrue(id.value().matches("[0-9a-f]{32}"), id.value());
    }

    @Test
    void randomTraceIdIsValid() {
        // when
        TraceId id = TraceId.random();

        // then
        assertTrue(id.value().matches("[0-9a-f]{32}"), id.value());
    }

    @Test
    void constructorRejectsAnAllZeroId() {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> new TraceId("0".repeat(32)));
    }

    @Test
    void anA2aTraceIdWinsOverTraceparent() {
        TraceId id = TraceId.fromHeaders("run-42:step.1_a", "00-" + TRACE + "-00f067aa0ba902b7-01");

        assertEquals("run-42:step.1_a", id.value());
    }

    @Test
    void withoutAnA2aTraceIdTraceparentIsRead() {
        assertEquals(TRACE, TraceId.fromHeaders(null, "00-" + TRACE + "-00f067aa0ba902b7-01").value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "slash/not", "emoji\uD83D\uDE00"})
    void aBadA2aTraceIdIsRefused(String value) {
        assertThrows(IllegalArgumentException.class, () -> TraceId.fromHeaders(value, null));
    }

    @Test
    void aTraceIdOf129CharactersIsRefusedAndOf128Accepted() {
        assertThrows(IllegalArgumentException.class, () -> TraceId.fromHeaders("a".repeat(129), null));
        assertEquals(128, TraceId.fromHeaders("a".repeat(128), null).value().length());
    }

    @Test
    void w3cIsTheValueItselfForAW3cIdAndAStableDerivedOneOtherwise() {
        assertEquals(TRACE, new TraceId(TRACE).w3c());
        String derived = new TraceId("run-42").w3c();
        assertTrue(derived.matches("[0-9a-f]{32}"), derived);
        assertEquals(derived, new TraceId("run-42").w3c());
        assertNotEquals(derived, new TraceId("run-43").w3c());
    }
}
