package dev.smartflow.compliance.detect;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The words near a candidate that say what it is ("SSN", "call me", "date of birth") or what it is not ("IMEI",
 * "order", "version"). Looked up only around candidates, never over the whole text: a window of
 * {@value #BEFORE} characters before the candidate and {@value #AFTER} after it, split into lower-case words, each word
 * and each run of two or three words looked up in one map. Immutable and thread-safe.
 */
final class ContextWords {
    static final int BEFORE = 48;
    static final int AFTER = 24;

    /** Words (and phrases of two or three words) that raise a type's confidence, or let a context-only type fire. */
    private static final Map<EntityType, List<String>> SUPPORTING = Map.ofEntries(
            Map.entry(EntityType.SSN, List.of("ssn", "ssns", "social security", "social security number", "soc sec",
                    "ss", "tin", "itin", "taxpayer")),
            Map.entry(EntityType.CREDIT_CARD, List.of("card", "cards", "credit", "debit", "visa", "mastercard", "amex",
                    "american express", "discover", "cc", "pan", "cardholder", "payment", "pay", "charge", "jcb",
                    "diners", "unionpay", "maestro")),
            Map.entry(EntityType.EMAIL, List.of("email", "e mail", "mail", "mailto", "contact", "address")),
            Map.entry(EntityType.PHONE, List.of("phone", "phones", "call", "calling", "called", "tel", "telephone",
                    "mobile", "cell", "cellphone", "contact", "reach", "text", "sms", "whatsapp", "fax", "dial",
                    "ring", "number", "hotline", "landline")),
            Map.entry(EntityType.IBAN, List.of("iban", "bank", "account", "transfer", "wire", "sepa", "bic")),
            Map.entry(EntityType.IP_ADDRESS, List.of("ip", "ipv4", "ipv6", "address", "host", "server", "client",
                    "from", "gateway", "subnet", "dns", "ping", "resolver", "nameserver", "connect", "connection",
                    "router", "firewall", "proxy", "origin", "source", "destination")),
            Map.entry(EntityType.MRN, List.of("mrn", "medical record", "medical record number", "patient",
                    "patient id", "chart", "chart number", "hospital number", "record number", "health record")),
            Map.entry(EntityType.PASSPORT, List.of("passport", "passport number", "passport no", "travel document")),
            Map.entry(EntityType.DATE_OF_BIRTH, List.of("dob", "d o b", "born", "birth", "birthday", "birthdate",
                    "date of birth", "bday", "b day")),
            Map.entry(EntityType.API_KEY, List.of("key", "api", "token", "secret")),
            Map.entry(EntityType.AWS_ACCESS_KEY, List.of("aws", "access key", "key")),
            Map.entry(EntityType.GITHUB_TOKEN, List.of("github", "token", "pat")),
            Map.entry(EntityType.JWT, List.of("jwt", "token", "bearer", "authorization")));

    /** Words that say a candidate is something else: an IMEI or order number is no card, a version no address. */
    private static final Map<EntityType, List<String>> OPPOSING = Map.ofEntries(
            Map.entry(EntityType.CREDIT_CARD, List.of("imei", "meid", "order", "orders", "invoice", "tracking",
                    "serial", "isbn", "ref", "reference", "confirmation", "shipment", "parcel", "sku", "ticket",
                    "booking")),
            Map.entry(EntityType.IP_ADDRESS, List.of("version", "versions", "ver", "release", "build", "firmware",
                    "patch", "upgrade", "update", "v", "oid", "snmp", "sdk", "library", "package", "running",
                    "installed")),
            Map.entry(EntityType.PHONE, List.of("order", "invoice", "tracking", "isbn", "serial", "imei", "sku",
                    "zip", "postcode", "account")),
            Map.entry(EntityType.SSN, List.of("order", "invoice", "tracking", "serial", "part", "sku")));

    private static final Map<String, long[]> WORDS = index();

    private ContextWords() {
    }

    /** What the words around {@code [start, end)} of {@code text} say: bit {@code type.ordinal()} set per type. */
    static Verdict around(CharSequence text, int start, int end) {
        long supporting = 0;
        long opposing = 0;
        int from = Math.max(0, start - BEFORE);
        int to = Math.min(text.length(), end + AFTER);
        String previous = null;
        String beforePrevious = null;
        int i = from;
        while (i < to) {
            if (i == start) {
                // the candidate itself is no context; its neighbours on either side are not one phrase
                i = end;
                previous = null;
                beforePrevious = null;
                continue;
            }
            char c = text.charAt(i);
            if (!isWordChar(c)) {
                i++;
                continue;
            }
            int wordEnd = i;
            while (wordEnd < to && wordEnd != start && isWordChar(text.charAt(wordEnd))) {
                wordEnd++;
            }
            // a word cut by the window's start is not a word we know
            if (i == from && from > 0 && isWordChar(text.charAt(from - 1))) {
                i = wordEnd;
                continue;
            }
            String word = lower(text, i, wordEnd);
            long[] bits = WORDS.get(word);
            if (bits != null) {
                supporting |= bits[0];
                opposing |= bits[1];
            }
            if (previous != null) {
                String pair = previous + " " + word;
                bits = WORDS.get(pair);
                if (bits != null) {
                    supporting |= bits[0];
                    opposing |= bits[1];
                }
                if (beforePrevious != null) {
                    bits = WORDS.get(beforePrevious + " " + pair);
                    if (bits != null) {
                        supporting |= bits[0];
                        opposing |= bits[1];
                    }
                }
            }
            beforePrevious = previous;
            previous = word;
            i = wordEnd;
        }
        return new Verdict(supporting, opposing);
    }

    /** Which types the context supports and which it opposes. */
    record Verdict(long supporting, long opposing) {
        static final Verdict NONE = new Verdict(0, 0);

        boolean supports(EntityType type) {
            return (supporting & (1L << type.ordinal())) != 0;
        }

        /** A word says it is something else, and none says it is this: a supporting word wins ("card ... order"). */
        boolean opposes(EntityType type) {
            return (opposing & (1L << type.ordinal())) != 0 && !supports(type);
        }
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || (c >= 128 && Character.isLetterOrDigit(c));
    }

    private static String lower(CharSequence text, int from, int to) {
        char[] chars = new char[to - from];
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            chars[i - from] = c >= 'A' && c <= 'Z' ? (char) (c + 32) : Character.toLowerCase(c);
        }
        return new String(chars);
    }

    private static Map<String, long[]> index() {
        Map<String, long[]> words = new HashMap<>();
        SUPPORTING.forEach((type, list) -> list.forEach(
                word -> words.computeIfAbsent(word, w -> new long[2])[0] |= 1L << type.ordinal()));
        OPPOSING.forEach((type, list) -> list.forEach(
                word -> words.computeIfAbsent(word, w -> new long[2])[1] |= 1L << type.ordinal()));
        return Map.copyOf(words);
    }
}
