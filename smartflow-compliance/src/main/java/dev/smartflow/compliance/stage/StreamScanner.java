package dev.smartflow.compliance.stage;

import dev.smartflow.compliance.CompliancePolicy;
import dev.smartflow.compliance.Flagged;
import dev.smartflow.compliance.detect.Detector;
import dev.smartflow.compliance.detect.EntityType;
import dev.smartflow.compliance.detect.Finding;
import java.util.List;
import java.util.function.Consumer;

/**
 * Scans a text that arrives in pieces (a streamed answer) and passes it on with findings redacted, catching a value
 * split across pieces.
 *
 * <p><b>Hold-back.</b> Text goes on as soon as no value can be cut by what comes next, so only the trailing token is
 * held: the run of characters that can belong to a value (letters, digits, {@code . _ % + - @ : / ( ) # =}), reaching
 * back over single spaces between digit or capital groups ({@code 4111 1111}, {@code DE89 3704}, {@code +44 20}), and
 * at most {@value #MAX_HOLD} characters. Prose is held a part-word at a time; a card number until its last group is
 * followed by something that ends it. A private-key block is held from its {@code -----BEGIN} until its
 * {@code -----END} (at most {@value #MAX_KEY_BLOCK} characters), and what follows an unfinished block is dropped until
 * its end arrives.
 *
 * <p><b>Window.</b> Each scan sees the last {@value #TAIL} characters already passed on as well as the held text, so
 * that context words ("my SSN is") still count and a value is scanned whole; findings wholly in that tail were dealt
 * with before and are skipped.
 *
 * <p>Not thread-safe: one per streamed text.
 */
final class StreamScanner {
    static final int TAIL = 64;
    static final int MAX_HOLD = 256;
    static final int MAX_KEY_BLOCK = 16 * 1024;
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";

    private final Detector detector;
    private final CompliancePolicy policy;
    private final Consumer<Flagged> seen;
    private final StringBuilder pending = new StringBuilder();
    private String tail = "";
    private boolean droppingKey;

    StreamScanner(Detector detector, CompliancePolicy policy, Consumer<Flagged> seen) {
        this.detector = detector;
        this.policy = policy;
        this.seen = seen;
    }

    /** The next piece; returns what can go on now, redacted. */
    String push(String piece) {
        pending.append(piece);
        return emit(false);
    }

    /** The end of the text: everything still held, redacted. */
    String flush() {
        return emit(true);
    }

    /** Characters held back. */
    int holding() {
        return pending.length();
    }

    private String emit(boolean all) {
        if (droppingKey && !dropKeyRest(all)) {
            return "";
        }
        int safe = all ? pending.length() : safePoint(pending);
        int begin = pending.indexOf(BEGIN);
        boolean unfinishedKey = begin >= 0 && pending.indexOf(END, begin) < 0;
        if (unfinishedKey && !all && begin < safe && pending.length() - begin < MAX_KEY_BLOCK) {
            safe = begin;
        }
        if (safe == 0) {
            return "";
        }
        String window = tail + pending;
        int offset = tail.length();
        List<Finding> findings = detector.scan(window);
        if (!all) {
            for (Finding f : findings) {
                if (f.start() < offset + safe && f.end() > offset + safe) {
                    safe = Math.max(0, f.start() - offset);
                }
            }
            if (safe == 0) {
                return "";
            }
        }
        StringBuilder out = new StringBuilder(safe + 16);
        int at = 0;
        for (Finding f : findings) {
            if (f.end() <= offset || f.start() >= offset + safe) {
                continue;
            }
            int start = Math.max(0, f.start() - offset);
            int end = f.end() - offset;
            Flagged flagged = new Flagged(f, policy.action(f.type()).orElseThrow());
            seen.accept(flagged);
            if (flagged.action().acts()) {
                out.append(pending, at, start).append(f.type().label());
                at = end;
            }
            if (f.type() == EntityType.PRIVATE_KEY && end == pending.length() && unfinishedKey) {
                droppingKey = true;
            }
        }
        out.append(pending, at, safe);
        String passed = pending.substring(0, safe);
        String seenText = tail + passed;
        tail = seenText.length() <= TAIL ? seenText : seenText.substring(seenText.length() - TAIL);
        pending.delete(0, safe);
        return out.toString();
    }

    /** Drops the rest of a key block already redacted; true once its end went by (or the stream ended). */
    private boolean dropKeyRest(boolean all) {
        int end = pending.indexOf(END);
        int close = end < 0 ? -1 : pending.indexOf("-----", end + END.length());
        if (close >= 0) {
            pending.delete(0, close + 5);
            droppingKey = false;
            return true;
        }
        if (all) {
            pending.setLength(0);
            droppingKey = false;
            return true;
        }
        // keep what may be the start of the end marker
        int keep = Math.min(pending.length(), END.length() + 64);
        pending.delete(0, pending.length() - keep);
        return false;
    }

    /** Where the trailing token that more text could extend begins (the class comment says which). */
    static int safePoint(CharSequence text) {
        int length = text.length();
        int limit = Math.max(0, length - MAX_HOLD);
        int j = length;
        while (j > limit) {
            char c = text.charAt(j - 1);
            if (valueChar(c)) {
                j--;
                continue;
            }
            if (c == ' ' && j >= 2) {
                char before = text.charAt(j - 2);
                boolean groupBefore = isDigit(before) || isUpper(before) || before == ')';
                boolean groupAfter = j == length || isDigit(text.charAt(j)) || isUpper(text.charAt(j))
                        || text.charAt(j) == '(';
                if (groupBefore && groupAfter) {
                    j--;
                    continue;
                }
            }
            break;
        }
        return j;
    }

    private static boolean valueChar(char c) {
        if (c < 128) {
            return (c >= 'a' && c <= 'z') || isUpper(c) || isDigit(c) || ".%_+-@:/()#=".indexOf(c) >= 0;
        }
        return Character.isLetterOrDigit(c);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }
}
