package dev.smartflow.core.exchange;

import java.util.concurrent.ThreadLocalRandom;

/** Random hex identifiers. ThreadLocalRandom, not SecureRandom: ids must be unique, not secret, and cheap. */
final class Ids {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Ids() {
    }

    static String hex(int chars) {
        char[] out = new char[chars];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long bits = 0;
        for (int i = 0; i < chars; i++) {
            if ((i & 15) == 0) {
                bits = random.nextLong();
            }
            out[i] = HEX[(int) (bits & 15)];
            bits >>>= 4;
        }
        return new String(out);
    }

    /** 24 hex digits: 12 of the current epoch millisecond, 12 random; later ids sort later as text. */
    static String timeOrderedHex() {
        char[] out = new char[24];
        long millis = System.currentTimeMillis();
        for (int i = 11; i >= 0; i--) {
            out[i] = HEX[(int) (millis & 15)];
            millis >>>= 4;
        }
        long bits = ThreadLocalRandom.current().nextLong();
        for (int i = 12; i < 24; i++) {
            out[i] = HEX[(int) (bits & 15)];
            bits >>>= 4;
        }
        return new String(out);
    }

    /** Accepts ids a caller supplies only when they are short and cannot smuggle anything into headers or logs. */
    static boolean safe(String value, int maxLength) {
        if (value == null || value.isEmpty() || value.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
