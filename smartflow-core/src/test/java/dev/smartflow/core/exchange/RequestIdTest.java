package dev.smartflow.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdTest {
    @ParameterizedTest
    @ValueSource(strings = {"abc-123", "req_ABC.def:42", "0"})
    void fromHeaderKeepsASafeId(String header) {
        // when
        RequestId id = RequestId.fromHeader(header);

        // then
        assertEquals(header, id.value());
    }

    @Test
    void fromHeaderKeepsAnIdOfExactly128Characters() {
        // given
        String header = "a".repeat(128);

        // when / then
        assertEquals(header, RequestId.fromHeader(header).value());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"has space", "line\r\nbreak", "quote\"", "<script>", "caf\u00e9", "semi;colon"})
    void fromHeaderReplacesAnUnsafeId(String header) {
        // when
        RequestId id = RequestId.fromHeader(header);

        // then
        assertNotEquals(header, id.value());
        assertTrue(id.value().matches("req_[0-9a-f]{24}"), id.value());
    }

    @Test
    void fromHeaderReplacesAnIdLongerThan128Characters() {
        // given
        String header = "a".repeat(129);

        // when
        RequestId id = RequestId.fromHeader(header);

        // then
        assertTrue(id.value().matches("req_[0-9a-f]{24}"), id.value());
    }

    @Test
    void freshIdsStartWithTheMillisecondSoLaterIdsSortLater() {
        long before = System.currentTimeMillis();
        RequestId first = RequestId.random();
        long after = System.currentTimeMillis();
        while (System.currentTimeMillis() <= after) {
            Thread.onSpinWait(); // the next millisecond, a few microseconds away
        }
        RequestId second = RequestId.random();

        long millis = Long.parseLong(first.value().substring(4, 16), 16);
        assertTrue(millis >= before && millis <= after, first.value());
        assertTrue(first.value().compareTo(second.value()) < 0, first + " then " + second);
    }

    @Test
    void randomIdsDiffer() {
        // when / then
        assertNotEquals(RequestId.random(), RequestId.random());
    }

    @Test
    void emptyIdIsRejected() {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> new RequestId(""));
    }
}
