package dev.smartflow.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HeadersTest {
    @Test
    void getIgnoresTheCaseOfTheName() {
        // given
        Headers headers = Headers.of("Content-Type", "application/json");

        // when / then
        assertEquals(Optional.of("application/json"), headers.get("CONTENT-TYPE"));
        assertEquals(Optional.of("application/json"), headers.get("content-type"));
    }

    @Test
    void getOfAnAbsentNameIsEmpty() {
        // when / then
        assertEquals(Optional.empty(), Headers.of("a", "1").get("b"));
    }

    @Test
    void getReturnsTheFirstOfRepeatedValues() {
        // given
        Headers headers = Headers.of("accept", "one", "Accept", "two");

        // when / then
        assertEquals(Optional.of("one"), headers.get("accept"));
        assertEquals(2, headers.size());
    }

    @Test
    void withReplacesEveryEarlierValueOfTheName() {
        // given
        Headers headers = Headers.of("x-team", "a", "other", "1", "X-Team", "b");

        // when
        Headers replaced = headers.with("X-TEAM", "c");

        // then
        List<String> pairs = new ArrayList<>();
        replaced.forEach((name, value) -> pairs.add(name + "=" + value));
        assertEquals(List.of("other=1", "x-team=c"), pairs);
    }

    @Test
    void withLeavesTheOriginalUnchanged() {
        // given
        Headers headers = Headers.of("x-team", "a");

        // when
        headers.with("x-team", "b");

        // then
        assertEquals(Optional.of("a"), headers.get("x-team"));
    }

    @Test
    void namesAreStoredLowerCase() {
        // given
        Headers headers = Headers.of("X-Request-ID", "r1");
        List<String> names = new ArrayList<>();

        // when
        headers.forEach((name, value) -> names.add(name));

        // then
        assertEquals(List.of("x-request-id"), names);
    }

    @Test
    void toStringMasksCredentials() {
        // given
        Headers headers = Headers.of("Authorization", "Bearer sk-secret-1", "x-api-key", "sk-secret-2",
                "api-key", "sk-secret-3", "cookie", "session=sk-secret-4");

        // when
        String text = headers.toString();

        // then
        assertFalse(text.contains("sk-secret"), text);
        assertTrue(text.contains("authorization="), text);
        assertTrue(text.contains("x-api-key="), text);
    }

    @Test
    void toStringShowsOrdinaryValues() {
        // when
        String text = Headers.of("content-type", "application/json").toString();

        // then
        assertEquals("Headers[content-type=application/json]", text);
    }

    @Test
    void carriageReturnInAValueIsRejected() {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> Headers.of("x-a", "ok\rx-evil: 1"));
    }

    @Test
    void lineFeedInAValueIsRejected() {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> Headers.EMPTY.with("x-a", "ok\nx-evil: 1"));
    }

    @Test
    void lineBreakInANameIsRejected() {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> Headers.of("x-a\r\nx-evil", "1"));
    }

    @Test
    void emptyNameIsRejected() {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> Headers.of("", "1"));
    }

    @Test
    void oddNumberOfArgumentsIsRejected() {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> Headers.of("name-without-value"));
    }

    @Test
    void headersWithTheSamePairsAreEqual() {
        // when / then
        assertEquals(Headers.of("A", "1"), Headers.of("a", "1"));
        assertEquals(Headers.of("A", "1").hashCode(), Headers.of("a", "1").hashCode());
    }
}
