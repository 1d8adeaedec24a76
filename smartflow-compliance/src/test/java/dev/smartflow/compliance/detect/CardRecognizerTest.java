package dev.smartflow.compliance.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CardRecognizerTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", // Visa
        "4222222222222",                                                  // Visa, 13 digits
        "5555555555554444", "2223003122003222",                           // Mastercard, both ranges
        "378282246310005", "3782 822463 10005",                           // Amex, 4-6-5
        "6011111111111117", "6011 0009 9013 9424",                        // Discover
        "3530111333300000",                                               // JCB
        "30569309025904", "3056 930902 5904",                             // Diners, 14 digits
        "6200000000000005",                                               // UnionPay
    })
    void everyMajorIssuerIsFoundInEveryUsualLayout(String card) {
        assertEquals(List.of("CREDIT_CARD:" + card), Found.in("pay with " + card + " today"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4111111111111112", "4111 1111 1111 1121", "5555555555554445", "378282246310006"})
    void aChangedDigitBreaksLuhnAndIsNotACard(String altered) {
        assertEquals(List.of(), Found.in("card " + altered));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1111111111111117", "9111111111111111", "4111111111111111111111"})
    void luhnValidNumbersWithoutAnIssuerOrOfTheWrongLengthAreNotCards(String number) {
        assertEquals(List.of(), Found.in("number " + number));
    }

    @Test
    void aLuhnValidImeiIsNotACard() {
        // 15 digits, Luhn-valid: no issuer uses this prefix at this length
        assertEquals(List.of(), Found.in("device 490154203237518"));
        assertEquals(List.of(), Found.in("device 352099001761481"));
    }

    @Test
    void opposingWordsStopALookAlike() {
        assertEquals(List.of(), Found.in("IMEI 4111111111111111"));
        assertEquals(List.of(), Found.in("Order #4111111111111111 has shipped"));
        assertEquals(List.of(), Found.in("tracking 4111 1111 1111 1111"));
    }

    @Test
    void oddGroupingsAreNotCards() {
        assertEquals(List.of(), Found.in("ids 41 1111 1111 111111"));
        assertEquals(List.of(), Found.in("4111-1111 1111-1111"));
    }

    @Test
    void aSupportingWordWinsOverAnOpposingOne() {
        assertEquals(List.of("CREDIT_CARD:4111 1111 1111 1111"),
                Found.in("Charge my card 4111 1111 1111 1111 for the order."));
    }

    @Test
    void aCardInParenthesesIsACard() {
        assertEquals(List.of("CREDIT_CARD:5555555555554444"), Found.in("Use (5555555555554444) please."));
        assertEquals(List.of("CREDIT_CARD:4111 1111 1111 1111"), Found.in("card (4111 1111 1111 1111)"));
    }

    @Test
    void aCardLaidOutNumberWithAWrongDigitIsNothingElseEither() {
        assertEquals(List.of(), Found.in("Use 0470 002745 27359 please."));
    }

    @Test
    void twoCardsSeparatedByOneSpaceAreBothFound() {
        assertEquals(List.of("CREDIT_CARD:4111111111111111", "CREDIT_CARD:5555555555554444"),
                Found.in("4111111111111111 5555555555554444"));
    }
}
