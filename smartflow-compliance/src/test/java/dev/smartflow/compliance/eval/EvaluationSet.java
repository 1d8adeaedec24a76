package dev.smartflow.compliance.eval;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import dev.smartflow.compliance.detect.EntityType;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * A labelled evaluation set made from a seed: sentences carrying one value each, with the value's type and span, and
 * a near-miss set of look-alikes that must not fire (Luhn-valid IMEIs, order numbers, UUIDs, versions, cards and IBANs
 * with one digit changed, numbers that are not SSNs or phones, hashes, ISBNs, times).
 *
 * <p>Values are generated, not taken from lists: SSNs by the SSA's rules, cards per issuer with a Luhn check digit,
 * IBANs per country with mod-97 check digits, phone numbers valid in libphonenumber's metadata formatted the national,
 * international and E.164 ways. Half the sentences put a context word near the value, half do not (context-only types
 * always have one).
 */
final class EvaluationSet {
    /** A sentence and the one value it carries ({@code type} null for a near miss). */
    record Sample(String text, EntityType type, int start, int end, String kind) {
    }

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    private static final String[] PHONE_REGIONS = {"US", "GB", "DE", "FR", "IN", "AU", "IT", "ES", "NL", "IE", "CA"};
    private static final String[][] IBAN_COUNTRIES = {
        {"DE", "18", "n"}, {"GB", "18", "aaaa14"}, {"FR", "23", "n"}, {"NL", "14", "aaaa10"}, {"ES", "20", "n"},
        {"IT", "23", "a22"}, {"BE", "12", "n"}, {"CH", "17", "n"}, {"AT", "16", "n"}, {"PL", "24", "n"},
        {"SE", "20", "n"}, {"NO", "11", "n"}, {"DK", "14", "n"}, {"IE", "18", "aaaa14"}, {"PT", "21", "n"}};
    private static final String[] WORDS = {"please", "note", "that", "the", "update", "for", "account", "is",
        "ready", "and", "we", "will", "follow", "up", "today", "thanks", "again", "team", "request", "details"};

    private final SplittableRandom random;

    EvaluationSet(long seed) {
        this.random = new SplittableRandom(seed);
    }

    List<Sample> positives(int perType) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < perType; i++) {
            boolean context = i % 2 == 0;
            int variant = random.nextInt(4);
            String ssn = ssn();
            if (variant == 0) {
                samples.add(place(EntityType.SSN, ssn.replace('-', ' '), context ? "My SSN is %s, keep it safe."
                        : "On file: %s.", "ssn_spaced"));
            } else if (variant == 1) {
                samples.add(place(EntityType.SSN, ssn.replace("-", ""), "Social security number: %s.",
                        "ssn_run_together"));
            } else {
                samples.add(place(EntityType.SSN, ssn, context ? "My SSN is %s, keep it safe." : "On file: %s.",
                        "ssn"));
            }
            String[] card = card();
            samples.add(place(EntityType.CREDIT_CARD, card[0], context ? "Charge my card %s for the order."
                    : variant == 0 ? "Use (%s) please." : "Use %s please.", card[1]));
            samples.add(place(EntityType.IBAN, iban(), context ? "Wire it to IBAN %s by Friday."
                    : "Funds go to %s this week.", "iban"));
            String email = email();
            if (variant == 0) {
                samples.add(place(EntityType.EMAIL, email.toUpperCase(Locale.ROOT), "Write to %s.", "email_upper"));
            } else if (variant == 1) {
                samples.add(place(EntityType.EMAIL, email, "From: Ann Lee <%s>", "email_angle"));
            } else {
                samples.add(place(EntityType.EMAIL, email, context ? "Email me at %s tomorrow." : "Write to %s.",
                        "email"));
            }
            String[] ip = ip();
            if (variant == 0 && ip[1].equals("ipv4")) {
                samples.add(place(EntityType.IP_ADDRESS, ip[0], "Connect to %s:8443 for the admin page.",
                        "ipv4_port"));
            } else {
                samples.add(place(EntityType.IP_ADDRESS, ip[0], context ? "The server at %s is down."
                        : "Traffic from %s spiked.", ip[1]));
            }
            String[] phone = phone();
            samples.add(place(EntityType.PHONE, phone[0], context ? "Call me at %s after five."
                    : "Reach the desk on %s today.", phone[1]));
        }
        for (int i = 0; i < perType / 4; i++) {
            samples.add(place(EntityType.MRN, digits(7 + random.nextInt(3)), "Patient MRN %s was admitted.", "mrn"));
            samples.add(place(EntityType.PASSPORT, (char) ('A' + random.nextInt(26)) + digits(8),
                    "Passport number %s expires soon.", "passport"));
            samples.add(place(EntityType.DATE_OF_BIRTH, date(), "Date of birth: %s.", "dob"));
            samples.add(place(EntityType.API_KEY, "sk-proj-" + alnum(32) + digits(4), "key %s leaked", "api_key"));
            samples.add(place(EntityType.AWS_ACCESS_KEY, "AKIA" + upperAlnum(16), "aws %s", "aws"));
            samples.add(place(EntityType.GITHUB_TOKEN, "ghp_" + alnum(36), "token %s", "github"));
        }
        return samples;
    }

    List<Sample> nearMisses(int perKind) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < perKind; i++) {
            samples.add(miss(pick("Device IMEI %s registered.", "Handset %s is on the list.", "Serial %s ok."),
                    imei(i % 2 == 0), "imei"));
            samples.add(miss(pick("Order %s has shipped.", "Your order number is %s.", "Ref %s confirmed."),
                    orderNumber(), "order"));
            samples.add(miss(pick("Request %s failed.", "Trace id %s.", "Job %s done."), UUID.nameUUIDFromBytes(
                    Long.toString(random.nextLong()).getBytes()).toString(), "uuid"));
            samples.add(miss(pick("Upgrade to version %s now.", "Running %s in production.", "Release %s is out."),
                    version(), "version"));
            samples.add(miss(pick("Card %s was declined.", "Use %s please."), alteredCard(), "altered_card"));
            samples.add(miss(pick("IBAN %s is wrong.", "Funds go to %s this week."), alteredIban(),
                    "altered_iban"));
            samples.add(miss(pick("It costs %s in total.", "Budget %s approved."), money(), "money"));
            samples.add(miss(pick("Commit %s fixed it.", "Hash %s matches."), hex(40), "hash"));
            samples.add(miss(pick("ISBN %s is in stock.", "See book %s."), isbn(), "isbn"));
            samples.add(miss(pick("Meet at %s sharp.", "Logged at %s."), time(), "time"));
            samples.add(miss(pick("Reference %s attached.", "Invoice %s paid."), notSsn(), "not_ssn"));
            samples.add(miss(pick("The value %s is fictional.", "Extension %s in the docs."), fakePhone(),
                    "fake_phone"));
            samples.add(miss(pick("Timestamp %s recorded.", "Epoch %s."), "1" + digits(12), "timestamp"));
            samples.add(miss(pick("Meeting on %s in room 4.", "Deadline %s."), date(), "date"));
            samples.add(miss(pick("Zip %s on the label.", "Postcode %s."), digits(5) + "-" + digits(4), "zip"));
        }
        return samples;
    }

    private Sample place(EntityType type, String value, String template, String kind) {
        String prefix = filler();
        int at = template.indexOf("%s");
        String text = prefix + template.substring(0, at) + value + template.substring(at + 2);
        int start = prefix.length() + at;
        return new Sample(text, type, start, start + value.length(), kind);
    }

    private Sample miss(String template, String value, String kind) {
        return new Sample(filler() + template.formatted(value), null, 0, 0, kind);
    }

    private String filler() {
        StringBuilder out = new StringBuilder();
        int words = random.nextInt(5);
        for (int i = 0; i < words; i++) {
            out.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
        }
        return out.isEmpty() ? "" : out.substring(0, 1).toUpperCase(Locale.ROOT) + out.substring(1);
    }

    private String pick(String... templates) {
        return templates[random.nextInt(templates.length)];
    }

    // --- values

    private String ssn() {
        int area;
        do {
            area = 1 + random.nextInt(899);
        } while (area == 666);
        String value = String.format("%03d-%02d-%04d", area, 1 + random.nextInt(99), 1 + random.nextInt(9999));
        return value.equals("123-45-6789") || value.equals("078-05-1120") ? ssn() : value;
    }

    private String[] card() {
        String[][] issuers = {{"4", "16", "visa"}, {"51", "16", "mastercard"}, {"2221", "16", "mastercard"},
            {"34", "15", "amex"}, {"37", "15", "amex"}, {"6011", "16", "discover"}, {"65", "16", "discover"},
            {"3530", "16", "jcb"}, {"36", "14", "diners"}, {"62", "16", "unionpay"}};
        String[] issuer = issuers[random.nextInt(issuers.length)];
        String number = luhnComplete(issuer[0] + digits(Integer.parseInt(issuer[1]) - issuer[0].length() - 1));
        int layout = random.nextInt(3);
        if (layout == 0) {
            return new String[] {number, "card_" + issuer[2]};
        }
        String separator = layout == 1 ? " " : "-";
        return new String[] {group(number, separator), "card_" + issuer[2] + (layout == 1 ? "_spaced" : "_dashed")};
    }

    private static String group(String number, String separator) {
        int[] groups = number.length() == 15 ? new int[] {4, 6, 5} : number.length() == 14 ? new int[] {4, 6, 4}
                : new int[] {4, 4, 4, 4};
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (int g : groups) {
            if (at > 0) {
                out.append(separator);
            }
            out.append(number, at, at + g);
            at += g;
        }
        return out.toString();
    }

    private static String luhnComplete(String partial) {
        for (int check = 0; check < 10; check++) {
            String candidate = partial + check;
            if (luhn(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError();
    }

    private static boolean luhn(String number) {
        int sum = 0;
        boolean twice = false;
        for (int i = number.length() - 1; i >= 0; i--) {
            int d = number.charAt(i) - '0';
            if (twice) {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    private String iban() {
        String[] country = IBAN_COUNTRIES[random.nextInt(IBAN_COUNTRIES.length)];
        int length = Integer.parseInt(country[1]);
        String bban = switch (country[2]) {
            case "aaaa14" -> upper(4) + digits(14);
            case "aaaa10" -> upper(4) + digits(10);
            case "a22" -> upper(1) + digits(22);
            default -> digits(length);
        };
        String iban = country[0] + checkDigits(country[0], bban) + bban;
        return random.nextBoolean() ? iban : iban.replaceAll("(.{4})(?!$)", "$1 ");
    }

    private static String checkDigits(String country, String bban) {
        BigInteger value = new BigInteger(numeric(bban + country + "00"));
        int check = 98 - value.mod(BigInteger.valueOf(97)).intValue();
        return String.format("%02d", check);
    }

    private static String numeric(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
        }
        return out.toString();
    }

    private String email() {
        String[] domains = {"example.com", "mail.example.org", "corp.example.co.uk", "example.io", "uni.example.edu"};
        String local = switch (random.nextInt(4)) {
            case 0 -> lower(5);
            case 1 -> lower(4) + "." + lower(6);
            case 2 -> lower(3) + "_" + digits(3);
            default -> lower(5) + "+" + lower(3);
        };
        return local + "@" + domains[random.nextInt(domains.length)];
    }

    private String[] ip() {
        if (random.nextInt(4) > 0) {
            return new String[] {(1 + random.nextInt(223)) + "." + random.nextInt(256) + "." + random.nextInt(256)
                    + "." + (1 + random.nextInt(254)), "ipv4"};
        }
        StringBuilder full = new StringBuilder("2001:db8");
        for (int i = 0; i < 6; i++) {
            full.append(':').append(Integer.toHexString(random.nextInt(65536)));
        }
        if (random.nextBoolean()) {
            return new String[] {full.toString(), "ipv6_full"};
        }
        return new String[] {"fe80::" + Integer.toHexString(1 + random.nextInt(65535)) + ":"
                + Integer.toHexString(random.nextInt(65536)), "ipv6_compressed"};
    }

    private String[] phone() {
        if (random.nextInt(8) == 0) {
            // layouts libphonenumber does not produce: dots, plain spaces, the UK's "(0)"
            String area = String.valueOf(200 + random.nextInt(700));
            String exchange = String.valueOf(200 + random.nextInt(700));
            return switch (random.nextInt(3)) {
                case 0 -> new String[] {"415." + exchange + "." + digits(4), "phone_us_dots"};
                case 1 -> new String[] {"415 " + exchange + " " + digits(4), "phone_us_spaces"};
                default -> new String[] {"+44 (0)20 7946 " + digits(4), "phone_gb_zero_in_parentheses"};
            };
        }
        String region = PHONE_REGIONS[random.nextInt(PHONE_REGIONS.length)];
        PhoneNumberUtil.PhoneNumberType type = random.nextBoolean() ? PhoneNumberUtil.PhoneNumberType.MOBILE
                : PhoneNumberUtil.PhoneNumberType.FIXED_LINE;
        PhoneNumber example = PHONES.getExampleNumberForType(region, type);
        for (int attempt = 0; attempt < 50; attempt++) {
            String national = Long.toString(example.getNationalNumber());
            String changed = national.substring(0, national.length() - 4) + digits(4);
            try {
                PhoneNumber number = PHONES.parse("+" + example.getCountryCode() + changed, "ZZ");
                if (!PHONES.isValidNumber(number)) {
                    continue;
                }
                PhoneNumberUtil.PhoneNumberFormat format = PhoneNumberUtil.PhoneNumberFormat.values()[
                        random.nextInt(3)];
                return new String[] {PHONES.format(number, format), "phone_" + region.toLowerCase(Locale.ROOT) + "_"
                        + format.name().toLowerCase(Locale.ROOT)};
            } catch (NumberParseException e) {
                throw new AssertionError(e);
            }
        }
        return phone();
    }

    private String date() {
        int year = 1940 + random.nextInt(70);
        int month = 1 + random.nextInt(12);
        int day = 1 + random.nextInt(28);
        return random.nextBoolean() ? String.format("%04d-%02d-%02d", year, month, day)
                : String.format("%02d/%02d/%04d", month, day, year);
    }

    // --- near misses

    private String imei(boolean dashed) {
        String[] tacs = {"35", "86", "01", "99", "49"};
        String number = luhnComplete(tacs[random.nextInt(tacs.length)] + digits(12));
        return dashed ? number.substring(0, 2) + "-" + number.substring(2, 8) + "-" + number.substring(8, 14) + "-"
                + number.substring(14) : number;
    }

    private String orderNumber() {
        return switch (random.nextInt(4)) {
            case 0 -> "ORD-" + (2020 + random.nextInt(6)) + "-" + digits(6);
            case 1 -> "#" + digits(3) + "-" + digits(7) + "-" + digits(7);
            case 2 -> "PO-" + digits(5);
            default -> luhnComplete("4" + digits(14));
        };
    }

    private String version() {
        return switch (random.nextInt(4)) {
            case 0 -> "v" + random.nextInt(20) + "." + random.nextInt(30) + "." + random.nextInt(30);
            case 1 -> random.nextInt(20) + "." + random.nextInt(30) + "." + random.nextInt(30);
            case 2 -> random.nextInt(12) + "." + random.nextInt(10) + "." + random.nextInt(10) + "."
                    + random.nextInt(10);
            default -> "10.0." + (10000 + random.nextInt(20000)) + "." + random.nextInt(5000);
        };
    }

    private String alteredCard() {
        String card = card()[0];
        String digitsOnly = card.replaceAll("[^0-9]", "");
        int at;
        do {
            at = random.nextInt(card.length());
        } while (!Character.isDigit(card.charAt(at)));
        char replacement;
        String altered;
        do {
            replacement = (char) ('0' + random.nextInt(10));
            altered = card.substring(0, at) + replacement + card.substring(at + 1);
        } while (replacement == card.charAt(at) || luhn(altered.replaceAll("[^0-9]", "")));
        return digitsOnly.isEmpty() ? card : altered;
    }

    private String alteredIban() {
        String iban = iban();
        int at;
        do {
            at = 4 + random.nextInt(iban.length() - 4);
        } while (!Character.isDigit(iban.charAt(at)));
        char replacement;
        do {
            replacement = (char) ('0' + random.nextInt(10));
        } while (replacement == iban.charAt(at));
        return iban.substring(0, at) + replacement + iban.substring(at + 1);
    }

    private String money() {
        return "$" + (1 + random.nextInt(999)) + "," + String.format("%03d", random.nextInt(1000)) + "."
                + String.format("%02d", random.nextInt(100));
    }

    private String isbn() {
        return "978-" + random.nextInt(10) + "-" + digits(2) + "-" + digits(6) + "-" + random.nextInt(10);
    }

    private String time() {
        return String.format("%02d:%02d:%02d", random.nextInt(24), random.nextInt(60), random.nextInt(60));
    }

    /** SSN-shaped numbers the SSA never issues. */
    private String notSsn() {
        String[] areas = {"000", "666", String.valueOf(900 + random.nextInt(100))};
        return areas[random.nextInt(areas.length)] + "-" + String.format("%02d", 1 + random.nextInt(99)) + "-"
                + String.format("%04d", 1 + random.nextInt(9999));
    }

    /** NANP-shaped numbers in the fictional 555 exchange: no numbering plan has them. */
    private String fakePhone() {
        return "555-" + (100 + random.nextInt(900)) + "-" + digits(4);
    }

    // --- characters

    private String digits(int n) {
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            out.append((char) ('0' + random.nextInt(10)));
        }
        return out.toString();
    }

    private String upper(int n) {
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            out.append((char) ('A' + random.nextInt(26)));
        }
        return out.toString();
    }

    private String lower(int n) {
        return upper(n).toLowerCase(Locale.ROOT);
    }

    private String alnum(int n) {
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            out.append(chars.charAt(random.nextInt(chars.length())));
        }
        return out.toString();
    }

    private String upperAlnum(int n) {
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            out.append(chars.charAt(random.nextInt(chars.length())));
        }
        return out.toString();
    }

    private String hex(int n) {
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            out.append("0123456789abcdef".charAt(random.nextInt(16)));
        }
        return out.toString();
    }
}
