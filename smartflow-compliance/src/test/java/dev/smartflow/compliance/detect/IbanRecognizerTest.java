package dev.smartflow.compliance.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IbanRecognizerTest {
    @ParameterizedTest
    @ValueSource(strings = {"DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
        "GB82 WEST 1234 5698 7654 32", "FR1420041010050500013M02606", "NL91ABNA0417164300", "BE68539007547034",
        "NO9386011117947", "MT84MALT011000012345MTLCAST001S"})
    void ibansOfEveryLengthAreFoundPrintedOrRunTogether(String iban) {
        assertEquals(List.of("IBAN:" + iban), Found.in("transfer to " + iban + ", thanks"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"DE89370400440532013001", "DE88370400440532013000", "GB82WEST12345698765433",
        "DE8937040044053201300", "DE893704004405320130000", "XX89370400440532013000",
        "DE89 3704 0044 0532 0130 01", "GB82 WEST 1234 5698 7654 33"})
    void alteredDigitsWrongLengthsAndUnknownCountriesAreNotIbans(String text) {
        assertEquals(List.of(), Found.in("transfer to " + text + " thanks"));
    }
}
