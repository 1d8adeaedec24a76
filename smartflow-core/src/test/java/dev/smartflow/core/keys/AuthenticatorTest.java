package dev.smartflow.core.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.core.exchange.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
    private static final Principal APP = Principal.embedded("app");

    private final List<String> asked = new ArrayList<>();

    private Authenticator accepting(String name, String token, Principal principal) {
        return presented -> {
            asked.add(name);
            return presented.equals(token) ? Optional.of(principal) : Optional.empty();
        };
    }

    @Test
    void orAcceptsWhatTheFirstAccepts() {
        // given
        Authenticator chained = accepting("first", "a", Principal.MASTER).or(accepting("second", "a", APP));

        // when
        Optional<Principal> principal = chained.authenticate("a");

        // then
        assertEquals(Optional.of(Principal.MASTER), principal);
        assertEquals(List.of("first"), asked);
    }

    @Test
    void orAsksTheNextWhenTheFirstRejects() {
        // given
        Authenticator chained = accepting("first", "a", Principal.MASTER).or(accepting("second", "b", APP));

        // when
        Optional<Principal> principal = chained.authenticate("b");

        // then
        assertEquals(Optional.of(APP), principal);
        assertEquals(List.of("first", "second"), asked);
    }

    @Test
    void orRejectsWhatNoneAccepts() {
        // given
        Authenticator chained = accepting("first", "a", Principal.MASTER).or(accepting("second", "b", APP));

        // when / then
        assertEquals(Optional.empty(), chained.authenticate("c"));
    }

    @Test
    void orChainsMoreThanTwo() {
        // given
        Authenticator chained = accepting("first", "a", Principal.MASTER)
                .or(accepting("second", "b", APP))
                .or(accepting("third", "c", Principal.embedded("third")));

        // when
        Optional<Principal> principal = chained.authenticate("c");

        // then
        assertEquals(Optional.of(Principal.embedded("third")), principal);
        assertEquals(List.of("first", "second", "third"), asked);
    }
}
