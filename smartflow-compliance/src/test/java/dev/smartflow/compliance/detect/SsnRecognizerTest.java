package dev.smartflow.compliance.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SsnRecognizerTest {
    @Test
    void theSdkGuidesExampleIsAViolationBecauseAContextWordNamesIt() {
        assertEquals(List.of("SSN:123-45-6789"), Found.in("My SSN is 123-45-6789"));
    }

    @Test
    void aWellKnownExampleNumberNeedsAContextWord() {
        assertEquals(List.of(), Found.in("ticket 123-45-6789"));
        assertEquals(List.of(), Found.in("the card said 078-05-1120"));
        assertEquals(List.of("SSN:078-05-1120"), Found.in("social security number 078-05-1120"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"212-67-4455", "501 32 9810", "899-01-0001"})
    void aFormattedValidNumberCountsWithoutContext(String ssn) {
        assertEquals(List.of("SSN:" + ssn), Found.in("on file: " + ssn + "."));
    }

    @ParameterizedTest
    @ValueSource(strings = {"000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "212-00-3456", "212-67-0000"})
    void numbersTheSsaNeverIssuesAreRejectedEvenWithContext(String ssn) {
        assertEquals(List.of(), Found.in("SSN " + ssn));
    }

    @Test
    void nineDigitsRunTogetherCountOnlyNextToAContextWord() {
        assertEquals(List.of(), Found.in("reference 212674455 attached"));
        assertEquals(List.of("SSN:212674455"), Found.in("ssn: 212674455"));
    }

    @Test
    void contextRaisesTheScore() {
        double plain = Detector.standard().scan("on file 212-67-4455").getFirst().score();
        double named = Detector.standard().scan("SSN 212-67-4455").getFirst().score();
        assertTrue(named > plain, named + " > " + plain);
    }

    @Test
    void anSsnInsideAnotherTokenIsNotOne() {
        assertEquals(List.of(), Found.in("part A212-67-4455 and 212-67-4455x"));
    }
}
