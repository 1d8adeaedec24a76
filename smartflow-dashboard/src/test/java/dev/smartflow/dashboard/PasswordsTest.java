package dev.smartflow.dashboard;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordsTest {
    private final Passwords passwords = Passwords.standard();

    @Test
    void aHashIsArgon2idInPhcFormWithOwaspParametersAndAFreshSalt() {
        String one = passwords.hash("correct horse battery");
        String two = passwords.hash("correct horse battery");

        assertTrue(one.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), one);
        assertNotEquals(one, two, "each hash has its own salt");
        assertFalse(one.contains("correct horse"));
    }

    @Test
    void verifyAcceptsThePasswordOnly() {
        String hash = passwords.hash("correct horse battery");

        assertTrue(passwords.verify("correct horse battery", hash));
        assertFalse(passwords.verify("correct horse batterY", hash));
        assertFalse(passwords.verify("", hash));
    }

    @Test
    void aHashKeepsItsOwnParameters() {
        String cheap = new Passwords(1024, 1).hash("pw-under-other-params");

        assertTrue(passwords.verify("pw-under-other-params", cheap));
    }

    @Test
    void aMalformedOrAbsurdHashVerifiesNothing() {
        assertFalse(passwords.verify("x", ""));
        assertFalse(passwords.verify("x", "$2a$10$abcdefghijklmnopqrstuv"));
        assertFalse(passwords.verify("x", "$argon2id$v=19$m=9999999,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA"));
    }
}
