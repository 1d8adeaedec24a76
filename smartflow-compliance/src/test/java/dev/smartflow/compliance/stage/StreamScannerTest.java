package dev.smartflow.compliance.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.compliance.BuiltInPolicies;
import dev.smartflow.compliance.CompliancePolicy;
import dev.smartflow.compliance.Flagged;
import dev.smartflow.compliance.detect.Detector;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StreamScannerTest {
    private static final CompliancePolicy POLICY = BuiltInPolicies.named("enterprise_standard").orElseThrow();
    private static final String TEXT = "My SSN is 212-67-4455 and my card 4111 1111 1111 1111, mail me at "
            + "john.smith@example.com or call (415) 555-2671. IBAN DE89 3704 0044 0532 0130 00 ok.";
    private static final String REDACTED = "My SSN is [SSN] and my card [CREDIT_CARD], mail me at [EMAIL] or call "
            + "[PHONE]. IBAN [IBAN] ok.";

    private static StreamScanner scanner(List<Flagged> seen) {
        return new StreamScanner(Detector.standard(), POLICY, seen::add);
    }

    @Test
    void everyValueIsRedactedWhereverTheStreamIsCut() {
        for (int cut = 1; cut < TEXT.length(); cut++) {
            StreamScanner scanner = scanner(new ArrayList<>());
            String out = scanner.push(TEXT.substring(0, cut)) + scanner.push(TEXT.substring(cut)) + scanner.flush();
            assertEquals(REDACTED, out, "cut at " + cut);
        }
    }

    @Test
    void randomChunkingsGiveTheSameTextAsTheWholeScan() {
        SplittableRandom random = new SplittableRandom(7);
        for (int run = 0; run < 200; run++) {
            List<Flagged> seen = new ArrayList<>();
            StreamScanner scanner = scanner(seen);
            StringBuilder out = new StringBuilder();
            int at = 0;
            while (at < TEXT.length()) {
                int next = Math.min(TEXT.length(), at + 1 + random.nextInt(12));
                out.append(scanner.push(TEXT.substring(at, next)));
                at = next;
            }
            out.append(scanner.flush());
            assertEquals(REDACTED, out.toString(), "run " + run);
            assertEquals(5, seen.size(), "each value counted once");
        }
    }

    @Test
    void onlyTheTrailingTokenIsHeldBack() {
        StreamScanner scanner = scanner(new ArrayList<>());
        assertEquals("Hello ", scanner.push("Hello wor"));
        assertEquals(3, scanner.holding());
        assertEquals("world, my card is ", scanner.push("ld, my card is 4111 1111"));
        assertEquals("4111 1111".length(), scanner.holding(), "groups of a possible card are held together");
        assertEquals("[CREDIT_CARD]. ", scanner.push(" 1111 1111. "));
        assertEquals(0, scanner.holding());
    }

    @Test
    void contextWordsAlreadyPassedOnStillCount() {
        StreamScanner scanner = scanner(new ArrayList<>());
        String out = scanner.push("Call me at ") + scanner.push("555-867-") + scanner.push("5309 tonight")
                + scanner.flush();
        assertEquals("Call me at [PHONE] tonight", out);
    }

    @Test
    void aPrivateKeyBlockIsHeldWholeAndCutOffKeysAreDropped() {
        StreamScanner scanner = scanner(new ArrayList<>());
        String out = scanner.push("key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIE") + scanner.push("pAIBAAKCAQEA\n")
                + scanner.push("-----END RSA PRIVATE KEY-----\ndone") + scanner.flush();
        assertEquals("key:\n[PRIVATE_KEY]\ndone", out);
    }

    @Test
    void aLongUnbrokenRunIsNotHeldForever() {
        StreamScanner scanner = scanner(new ArrayList<>());
        String run = "a".repeat(1000);
        String out = scanner.push(run);
        assertEquals(1000 - StreamScanner.MAX_HOLD, out.length());
        assertEquals(run, out + scanner.flush());
    }
}
