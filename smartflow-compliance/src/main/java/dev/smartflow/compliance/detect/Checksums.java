package dev.smartflow.compliance.detect;

import java.util.Map;

/**
 * The validations that turn a digit shape into a finding: Luhn for card numbers, the issuers' prefixes and lengths,
 * ISO 13616's per-country IBAN lengths and mod-97 check, and the SSA's rules for social security numbers.
 */
final class Checksums {
    /** IBAN length per country (ISO 13616 registry). */
    private static final Map<String, Integer> IBAN_LENGTHS = Map.ofEntries(
            Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20), Map.entry("AZ", 28),
            Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22), Map.entry("BH", 22), Map.entry("BI", 27),
            Map.entry("BR", 29), Map.entry("BY", 28), Map.entry("CH", 21), Map.entry("CR", 22), Map.entry("CY", 28),
            Map.entry("CZ", 24), Map.entry("DE", 22), Map.entry("DJ", 27), Map.entry("DK", 18), Map.entry("DO", 28),
            Map.entry("EE", 20), Map.entry("EG", 29), Map.entry("ES", 24), Map.entry("FI", 18), Map.entry("FK", 18),
            Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22), Map.entry("GE", 22), Map.entry("GI", 23),
            Map.entry("GL", 18), Map.entry("GR", 27), Map.entry("GT", 28), Map.entry("HR", 21), Map.entry("HU", 28),
            Map.entry("IE", 22), Map.entry("IL", 23), Map.entry("IQ", 23), Map.entry("IS", 26), Map.entry("IT", 27),
            Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20), Map.entry("LB", 28), Map.entry("LC", 32),
            Map.entry("LI", 21), Map.entry("LT", 20), Map.entry("LU", 20), Map.entry("LV", 21), Map.entry("LY", 25),
            Map.entry("MC", 27), Map.entry("MD", 24), Map.entry("ME", 22), Map.entry("MK", 19), Map.entry("MN", 20),
            Map.entry("MR", 27), Map.entry("MT", 31), Map.entry("MU", 30), Map.entry("NI", 28), Map.entry("NL", 18),
            Map.entry("NO", 15), Map.entry("OM", 23), Map.entry("PK", 24), Map.entry("PL", 28), Map.entry("PS", 29),
            Map.entry("PT", 25), Map.entry("QA", 29), Map.entry("RO", 24), Map.entry("RS", 22), Map.entry("RU", 33),
            Map.entry("SA", 24), Map.entry("SC", 31), Map.entry("SD", 18), Map.entry("SE", 24), Map.entry("SI", 19),
            Map.entry("SK", 24), Map.entry("SM", 27), Map.entry("SO", 23), Map.entry("ST", 25), Map.entry("SV", 28),
            Map.entry("TL", 23), Map.entry("TN", 24), Map.entry("TR", 26), Map.entry("UA", 29), Map.entry("VA", 22),
            Map.entry("VG", 24), Map.entry("XK", 20), Map.entry("YE", 30));

    /** Numbers published as examples (on cards, in ads, in docs): a finding only when a context word names them. */
    private static final String[] EXAMPLE_SSNS = {"078051120", "219099999", "123456789", "457555462"};

    private Checksums() {
    }

    /** The IBAN length of {@code country} (two upper-case letters), or 0 when it has no IBAN. */
    static int ibanLength(char first, char second) {
        Integer length = IBAN_LENGTHS.get(String.valueOf(new char[] {first, second}));
        return length == null ? 0 : length;
    }

    /** ISO 7064 mod 97-10 over the IBAN's characters (upper-case letters and digits, no spaces). */
    static boolean ibanValid(char[] iban, int length) {
        int remainder = 0;
        for (int k = 0; k < length; k++) {
            char c = iban[(k + 4) % length];
            if (c >= '0' && c <= '9') {
                remainder = (remainder * 10 + (c - '0')) % 97;
            } else if (c >= 'A' && c <= 'Z') {
                remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
            } else {
                return false;
            }
        }
        return remainder == 1;
    }

    static boolean luhn(char[] digits, int length) {
        int sum = 0;
        boolean twice = false;
        for (int k = length - 1; k >= 0; k--) {
            int d = digits[k] - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    /** Whether a card issuer uses this prefix with this many digits (Visa, Mastercard, Amex, Discover, ...). */
    static boolean cardIssuer(char[] d, int length) {
        int p1 = d[0] - '0';
        int p2 = p1 * 10 + (d[1] - '0');
        int p3 = p2 * 10 + (d[2] - '0');
        int p4 = p3 * 10 + (d[3] - '0');
        int p6 = p4 * 100 + (d[4] - '0') * 10 + (d[5] - '0');
        if (p1 == 4) {
            return length == 13 || length == 16 || length == 19; // Visa
        }
        if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) {
            return length == 16; // Mastercard
        }
        if (p2 == 34 || p2 == 37) {
            return length == 15; // American Express
        }
        if (p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65 || (p6 >= 622126 && p6 <= 622925)) {
            return length >= 16 && length <= 19; // Discover
        }
        if (p4 >= 3528 && p4 <= 3589) {
            return length >= 16 && length <= 19; // JCB
        }
        if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39 || p4 == 3095) {
            return length >= 14 && length <= 19; // Diners Club
        }
        if (p2 == 62) {
            return length >= 16 && length <= 19; // UnionPay
        }
        if (p4 == 5018 || p4 == 5020 || p4 == 5038 || p4 == 5893 || p4 == 6304 || p4 == 6759 || p4 == 6761
                || p4 == 6762 || p4 == 6763) {
            return length >= 12 && length <= 19 && length != 15; // Maestro (15 digits is an IMEI's length)
        }
        return false;
    }

    /** The SSA's rules: no area 000, 666 or 900-999, no group 00, no serial 0000. */
    static boolean ssnValid(char[] d) {
        int area = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
        int group = (d[3] - '0') * 10 + (d[4] - '0');
        int serial = (d[5] - '0') * 1000 + (d[6] - '0') * 100 + (d[7] - '0') * 10 + (d[8] - '0');
        return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
    }

    /** A published example number, or nine equal digits: such numbers need a context word to count. */
    static boolean ssnExample(char[] d) {
        boolean same = true;
        for (int k = 1; k < 9; k++) {
            same &= d[k] == d[0];
        }
        if (same) {
            return true;
        }
        outer:
        for (String example : EXAMPLE_SSNS) {
            for (int k = 0; k < 9; k++) {
                if (example.charAt(k) != d[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
