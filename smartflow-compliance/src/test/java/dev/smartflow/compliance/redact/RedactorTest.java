package dev.smartflow.compliance.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.compliance.detect.Detector;
import org.junit.jupiter.api.Test;

class RedactorTest {
    private static String redact(String text) {
        return Redactor.redact(text, Detector.standard().scan(text));
    }

    @Test
    void theSdkGuidesRedactionExample() {
        assertEquals("Call me at [PHONE], email [EMAIL]", redact("Call me at 555-867-5309, email john@example.com"));
    }

    @Test
    void theApiReferencesRedactionExample() {
        assertEquals("My SSN is [SSN], email me at [EMAIL]",
                redact("My SSN is 123-45-6789, email me at john@example.com"));
    }

    @Test
    void everyLabelIsTheTypeInBrackets() {
        assertEquals("card [CREDIT_CARD], iban [IBAN], ip [IP_ADDRESS], key [API_KEY]",
                redact("card 4111 1111 1111 1111, iban DE89370400440532013000, ip 10.1.2.3, key "
                        + "sk-abcdefghij0123456789klmn"));
    }

    @Test
    void textWithoutFindingsIsReturnedAsItIs() {
        String text = "nothing to see here";
        assertEquals(text, redact(text));
    }
}
