package dev.smartflow.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AttributesTest {
    private static final Attribute<String> TEAM = Attribute.of("team", String.class);
    private static final Attribute<Integer> SCORE = Attribute.of("score", Integer.class);

    @Test
    void withThenGetReturnsTheTypedValue() {
        // when
        Attributes attributes = Attributes.EMPTY.with(TEAM, "search").with(SCORE, 7);

        // then
        assertEquals(Optional.of("search"), attributes.get(TEAM));
        assertEquals(Optional.of(7), attributes.get(SCORE));
    }

    @Test
    void getOfAnAbsentKeyIsEmpty() {
        // when / then
        assertEquals(Optional.empty(), Attributes.EMPTY.get(TEAM));
    }

    @Test
    void withLeavesTheOriginalUnchanged() {
        // given
        Attributes original = Attributes.EMPTY.with(TEAM, "search");

        // when
        original.with(TEAM, "ads").with(SCORE, 1);

        // then
        assertEquals(Optional.of("search"), original.get(TEAM));
        assertEquals(Optional.empty(), original.get(SCORE));
        assertEquals(1, original.size());
    }

    @Test
    void withReplacesTheValueOfAnExistingKey() {
        // when
        Attributes attributes = Attributes.EMPTY.with(TEAM, "search").with(TEAM, "ads");

        // then
        assertEquals(Optional.of("ads"), attributes.get(TEAM));
        assertEquals(1, attributes.size());
    }

    @Test
    void keysWithTheSameNameAreDistinct() {
        // given
        Attribute<String> otherTeam = Attribute.of("team", String.class);

        // when
        Attributes attributes = Attributes.EMPTY.with(TEAM, "search");

        // then
        assertEquals(Optional.empty(), attributes.get(otherTeam));
    }

    @Test
    void nullValueIsRejected() {
        // when / then
        assertThrows(NullPointerException.class, () -> Attributes.EMPTY.with(TEAM, null));
    }

    @Test
    void toStringShowsNamesNotValues() {
        // given
        Attributes attributes = Attributes.EMPTY.with(TEAM, "secret-team").with(SCORE, 3);

        // when
        String text = attributes.toString();

        // then
        assertEquals("Attributes[team, score]", text);
        assertFalse(text.contains("secret-team"));
    }
}
