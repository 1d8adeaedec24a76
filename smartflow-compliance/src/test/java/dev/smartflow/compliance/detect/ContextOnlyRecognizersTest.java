package dev.smartflow.compliance.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Medical record numbers, passport numbers and dates of birth look like any number: a word must name them. */
class ContextOnlyRecognizersTest {
    @Test
    void medicalRecordNumbers() {
        assertEquals(List.of("MRN:00123456"), Found.in("MRN: 00123456"));
        assertEquals(List.of("MRN:1234567"), Found.in("MRN-1234567"));
        assertEquals(List.of("MRN:A1234567"), Found.in("patient id A1234567 admitted"));
        assertEquals(List.of(), Found.in("room 00123456"));
    }

    @Test
    void passportNumbers() {
        assertEquals(List.of("PASSPORT:X12345678"), Found.in("passport number X12345678"));
        assertEquals(List.of("PASSPORT:123456789"), Found.in("Passport: 123456789"));
        assertEquals(List.of(), Found.in("ticket X12345678"));
    }

    @Test
    void datesOfBirth() {
        assertEquals(List.of("DATE_OF_BIRTH:03/12/1985"), Found.in("DOB: 03/12/1985"));
        assertEquals(List.of("DATE_OF_BIRTH:1985-03-12"), Found.in("date of birth 1985-03-12"));
        assertEquals(List.of("DATE_OF_BIRTH:March 3, 1985"), Found.in("she was born on March 3, 1985"));
        assertEquals(List.of("DATE_OF_BIRTH:3rd of March 1985"), Found.in("born the 3rd of March 1985"));
        assertEquals(List.of(), Found.in("meeting on 2024-03-12"));
        assertEquals(List.of(), Found.in("released March 3, 1985"));
    }
}
