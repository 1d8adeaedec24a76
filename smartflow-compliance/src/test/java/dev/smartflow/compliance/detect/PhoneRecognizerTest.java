package dev.smartflow.compliance.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PhoneRecognizerTest {
    @ParameterizedTest
    @ValueSource(strings = {"(415) 555-2671", "415-555-2671", "415.555.2671", "4155552671", "1-800-555-0199",
        "+1 415 555 2671", "+44 20 7946 0958", "+49 30 901820", "+33 1 42 68 53 00", "+91 98765 43210",
        "020 7946 0958", "01 42 68 53 00", "98765 43210", "+447400122619", "+14155552671", "912 34 56 78",
        "(022) 11603", "(02) 9374 4000"})
    void validNumbersAreFoundInNationalAndInternationalFormats(String phone) {
        assertEquals(List.of("PHONE:" + phone), Found.in("I am at " + phone + " today"));
    }

    @Test
    void aPhoneShapedNumberLibphonenumberRejectsCountsOnlyNextToAContextWord() {
        assertEquals(List.of(), Found.in("The value 555-867-5309 is fictional"));
        assertEquals(List.of("PHONE:555-867-5309"), Found.in("Call me at 555-867-5309"));
        assertEquals(List.of("PHONE:555-0100"), Found.in("Call me at 555-0100"));
    }

    @Test
    void numbersThatAreValidNowhereAreNotPhones() {
        assertEquals(List.of(), Found.in("total 12345678 units"));
        assertEquals(List.of(), Found.in("zip 94107-1234"));
    }

    @Test
    void theTrunkRegionsAreConfigurable() {
        Detector germanOnly = Detector.withPhoneRegions(List.of("DE"));
        assertEquals(List.of("PHONE:030 901820"), Found.in(germanOnly, "Büro 030 901820"));
        assertEquals(List.of(), Found.in(Detector.withPhoneRegions(List.of("GB")), "Büro 030 901820"));
        assertThrows(IllegalArgumentException.class, () -> Detector.withPhoneRegions(List.of("XX")));
    }

    @Test
    void opposingWordsStopALookAlike() {
        assertEquals(List.of(), Found.in("order 4155552671 shipped"));
    }
}
