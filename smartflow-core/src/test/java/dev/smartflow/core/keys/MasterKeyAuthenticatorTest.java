package dev.smartflow.core.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.smartflow.core.exchange.Principal;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MasterKeyAuthenticatorTest {
    private static final String KEY = "sk-master-0123456789";

    private final MasterKeyAuthenticator authenticator = new MasterKeyAuthenticator(KEY);

    @Test
    void exactKeyIsTheMaster() {
        // when / then
        assertEquals(Optional.of(Principal.MASTER), authenticator.authenticate(KEY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sk-master-012345678", "sk-master-01234567890", "SK-MASTER-0123456789",
            " sk-master-0123456789", "", "sk-master-0123456788"})
    void anyOtherTokenIsRejected(String token) {
        // when / then
        assertEquals(Optional.empty(), authenticator.authenticate(token));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void blankMasterKeyIsRejected(String masterKey) {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> new MasterKeyAuthenticator(masterKey));
    }

    @Test
    void nullMasterKeyIsRejected() {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> new MasterKeyAuthenticator(null));
    }

    @Test
    void toStringHidesTheKey() {
        // when / then
        assertFalse(authenticator.toString().contains("0123456789"));
    }
}
