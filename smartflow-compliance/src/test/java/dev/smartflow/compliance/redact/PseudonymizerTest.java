package dev.smartflow.compliance.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.compliance.detect.Detector;
import dev.smartflow.compliance.detect.EntityType;
import dev.smartflow.core.memory.InMemorySharedState;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PseudonymizerTest {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\[EMAIL_[A-Z2-7]{8}] and \\[PHONE_[A-Z2-7]{8}]");
    private final PseudonymKeys keys = PseudonymKeys.fromConfiguredKey("a configured key of some length");

    private static String pseudonymise(Pseudonymizer pseudonyms, String text) {
        return pseudonyms.apply(text, Detector.standard().scan(text));
    }

    @Test
    void valuesBecomeTypedPlaceholdersThatHideThem() {
        Pseudonymizer pseudonyms = new Pseudonymizer(keys, "org:acme");
        String sent = pseudonymise(pseudonyms, "john@example.com and +44 20 7946 0958");
        assertTrue(PLACEHOLDER.matcher(sent).matches(), sent);
        assertFalse(sent.contains("john") || sent.contains("7946"));
        assertEquals(2, pseudonyms.vault().size());
    }

    @Test
    void placeholdersAreStableWithinATenantAndDifferBetweenTenants() {
        String first = new Pseudonymizer(keys, "org:acme").placeholder(EntityType.EMAIL, "john@example.com");
        String again = new Pseudonymizer(keys, "org:acme").placeholder(EntityType.EMAIL, "John@Example.com");
        String other = new Pseudonymizer(keys, "org:globex").placeholder(EntityType.EMAIL, "john@example.com");
        assertEquals(first, again);
        assertNotEquals(first, other);
        assertEquals(new Pseudonymizer(keys, "k").placeholder(EntityType.PHONE, "(415) 555-2671"),
                new Pseudonymizer(keys, "k").placeholder(EntityType.PHONE, "415.555.2671"));
    }

    @Test
    void instancesSharingTheStateDeriveTheSameSecrets() {
        try (InMemorySharedState state = new InMemorySharedState()) {
            String one = new Pseudonymizer(PseudonymKeys.fromSharedState(state), "t").placeholder(EntityType.SSN, "1");
            String two = new Pseudonymizer(PseudonymKeys.fromSharedState(state), "t").placeholder(EntityType.SSN, "1");
            assertEquals(one, two);
        }
        assertNotEquals(new Pseudonymizer(PseudonymKeys.random(), "t").placeholder(EntityType.SSN, "1"),
                new Pseudonymizer(PseudonymKeys.random(), "t").placeholder(EntityType.SSN, "1"));
    }

    @Test
    void aShortConfiguredKeyIsRefusedAndNoSecretIsEverPrinted() {
        assertThrows(IllegalArgumentException.class, () -> PseudonymKeys.fromConfiguredKey("short"));
        Pseudonymizer pseudonyms = new Pseudonymizer(keys, "t");
        pseudonyms.placeholder(EntityType.EMAIL, "john@example.com");
        assertFalse(keys.toString().contains("configured"));
        assertFalse(pseudonyms.toString().contains("john") || pseudonyms.vault().toString().contains("john"));
    }
}
