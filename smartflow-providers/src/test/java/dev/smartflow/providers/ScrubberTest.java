package dev.smartflow.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The masking of secrets in upstream messages, shared by every adapter's error parsing. */
final class ScrubberTest {
    private static final String KEY = "gsk_live_0123456789abcdef";
    private final Scrubber scrubber = new Scrubber(Optional.of(KEY));

    @ParameterizedTest
    @ValueSource(strings = {
            "Invalid API Key: gsk_live_0123456789abcdef",
            "Authorization header was Bearer abc.def.ghi-jkl",
            "key sk-proj-AbC123xYz789 is revoked",
            "key sk-************Xy9Q is revoked",
            "key key-0123456789abcdef is revoked",
            "key xai-0123456789abcdef is revoked",
            "token nvapi-0123456789abcdef expired",
            "token hf_0123456789abcdef expired",
            "invalid x-api-key: sk-ant-api03-0123456789abcdef"})
    void secretsAreMasked(String message) {
        String scrubbed = scrubber.scrub(message);

        assertTrue(scrubbed.contains(Scrubber.MASK), scrubbed);
        assertFalse(scrubbed.matches(".*[0-9]{6,}.*"), scrubbed);
        assertFalse(scrubbed.contains("Xy9Q"), scrubbed);
        assertFalse(scrubbed.contains("abc.def"), scrubbed);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Rate limit reached for requests",
            "task-runner failed; see the risk-assessment doc",
            "The model `gpt-4o` does not exist"})
    void ordinaryTextIsLeftAlone(String message) {
        assertEquals(message, scrubber.scrub(message));
    }

    @Test
    void configuredKeyIsMaskedWhateverItLooksLike() {
        Scrubber custom = new Scrubber(Optional.of("plainpassword42"));

        assertEquals("bad key " + Scrubber.MASK, custom.scrub("bad key plainpassword42"));
    }

    @Test
    void keyTooShortToMaskAsALiteralLeavesOrdinaryWordsAlone() {
        Scrubber custom = new Scrubber(Optional.of("abc"));

        assertEquals("abc is not a key", custom.scrub("abc is not a key"));
    }

    @Test
    void cleanFlattensWhitespaceAndScrubs() {
        assertEquals("bad key " + Scrubber.MASK + " here", scrubber.clean("  bad\n\tkey   " + KEY + "\r\nhere "));
    }

    @Test
    void cleanGivesNullForMissingOrBlankText() {
        assertNull(scrubber.clean(null));
        assertNull(scrubber.clean(" \n\t"));
    }

    @Test
    void cleanCutsLongTextAfterScrubbingSoNoHalfKeySurvives() {
        String padding = "x ".repeat(495);
        String cleaned = scrubber.clean(padding + KEY + " " + "y".repeat(2_000));

        assertEquals(1_001, cleaned.length(), "1000 characters and the ellipsis");
        assertTrue(cleaned.endsWith("…"), cleaned);
        assertTrue(cleaned.contains(Scrubber.MASK), cleaned);
        assertFalse(cleaned.contains("gsk_live"), cleaned);
    }

    @Test
    void toStringDoesNotShowTheKey() {
        assertFalse(scrubber.toString().contains(KEY), scrubber.toString());
    }
}
