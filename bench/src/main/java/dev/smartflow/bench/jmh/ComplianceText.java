package dev.smartflow.bench.jmh;

import java.util.SplittableRandom;

/**
 * Text for the compliance benchmarks, made from a seed: support-chat prose with numbers that are not personal data
 * (prices, dates, versions, order numbers, UUIDs) and, every {@code piiEvery}-th sentence, one value of personal data
 * or a secret, each value different (so libphonenumber's cache does not see the same number twice in one text).
 */
final class ComplianceText {
    private static final String[] PROSE = {
        "Thanks for reaching out about your subscription, we looked into the account history this morning.",
        "The invoice for March was issued on 2024-03-12 and the amount of $129.99 was charged as expected.",
        "Please upgrade the client to version 4.2.1 before retrying, the older build had a known issue.",
        "Your order number is ORD-2024-118833 and it left the warehouse yesterday afternoon.",
        "We restarted the job with request id 550e8400-e29b-41d4-a716-446655440000 and it completed.",
        "If the problem persists, clear the cache and sign in again from the settings page.",
        "Our team will follow up within 2 business days with a summary of the investigation.",
        "The report lists 37 incidents between January and June, most of them resolved within an hour.",
        "Could you confirm whether the export should include archived projects as well?",
        "The meeting is moved to 10:30 on Thursday, room 4B on the third floor.",
    };

    private ComplianceText() {
    }

    /** About {@code bytes} characters of text, one sentence in {@code piiEvery} carrying a value (0: none). */
    static String of(int bytes, int piiEvery, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder(bytes + 256);
        int sentence = 0;
        while (text.length() < bytes) {
            if (piiEvery > 0 && ++sentence % piiEvery == 0) {
                text.append(personal(random)).append(' ');
            } else {
                text.append(PROSE[random.nextInt(PROSE.length)]).append(' ');
            }
        }
        return text.toString();
    }

    private static String personal(SplittableRandom random) {
        return switch (random.nextInt(7)) {
            case 0 -> "You can reach me at " + "user" + random.nextInt(100000) + "@example.com for details.";
            case 1 -> "Call me at (" + (200 + random.nextInt(700)) + ") " + (200 + random.nextInt(700)) + "-"
                    + String.format("%04d", random.nextInt(10000)) + " after five.";
            case 2 -> "My card is " + card(random) + " and it expires next year.";
            case 3 -> "My SSN is " + (100 + random.nextInt(500)) + "-" + (10 + random.nextInt(89)) + "-"
                    + (1000 + random.nextInt(8999)) + ", please keep it private.";
            case 4 -> "The server at 10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256)
                    + " keeps timing out.";
            case 5 -> "Wire it to DE89 3704 0044 0532 0130 00 by Friday.";
            default -> "The key sk-proj-" + Long.toHexString(random.nextLong()) + "A1b2C3d4 leaked in the logs.";
        };
    }

    /** A Luhn-valid Visa number in groups of four. */
    private static String card(SplittableRandom random) {
        int[] d = new int[16];
        d[0] = 4;
        for (int i = 1; i < 15; i++) {
            d[i] = random.nextInt(10);
        }
        int sum = 0;
        for (int i = 0; i < 15; i++) {
            int v = d[14 - i];
            if (i % 2 == 0) {
                v *= 2;
                if (v > 9) {
                    v -= 9;
                }
            }
            sum += v;
        }
        d[15] = (10 - sum % 10) % 10;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            if (i > 0 && i % 4 == 0) {
                out.append(' ');
            }
            out.append(d[i]);
        }
        return out.toString();
    }
}
