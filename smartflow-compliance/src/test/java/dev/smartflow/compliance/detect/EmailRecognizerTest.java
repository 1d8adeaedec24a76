package dev.smartflow.compliance.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmailRecognizerTest {
    @ParameterizedTest
    @ValueSource(strings = {"john@example.com", "first.last+tag@sub.example.co.uk", "a_b-c%d@x-y.io",
        "O'Brien@example.com"})
    void addressesAreFoundWhole(String address) {
        String expected = address.contains("'") ? "Brien@example.com" : address;
        assertEquals(List.of("EMAIL:" + expected), Found.in("write to " + address + "."));
    }

    @Test
    void aSentenceEndingDotIsNotPartOfTheAddress() {
        assertEquals(List.of("EMAIL:john@example.com"), Found.in("Mail john@example.com."));
    }

    @ParameterizedTest
    @ValueSource(strings = {"@handle", "john@localhost", "a..b@example.com", "john@example.c", "john@-x.com",
        "user@123.456"})
    void thingsThatAreNotAddressesAreNot(String text) {
        assertEquals(List.of(), Found.in("see " + text + " now"));
    }
}
