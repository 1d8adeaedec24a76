package dev.smartflow.compliance.detect;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Phone-number validation by Google's libphonenumber: {@link PhoneNumberUtil#findNumbers} with the
 * {@link PhoneNumberUtil.Leniency#VALID} leniency (a number valid in its country's numbering plan, not just
 * number-shaped), over a candidate the detector's one pass already cut out, never over the whole text.
 *
 * <p>A number with a {@code +} is read in its own country whatever the regions; a national number is read in the
 * regions its shape allows: North-American shapes in {@code US} (which covers every +1 country), numbers with a
 * trunk {@code 0} (or in three or more groups of two to four digits, as in plans without one) in the configured
 * national regions, ten digits from 6 to 9 in {@code IN}. libphonenumber takes about
 * ten microseconds a region, so verdicts are kept in a bounded cache: chats send their history again with every turn.
 * Thread-safe.
 */
final class PhoneNumbers {
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
    private static final int CACHE_ENTRIES = 8192;

    private final List<String> trunkRegions;
    private final Cache<String, Boolean> verdicts = Caffeine.newBuilder().maximumSize(CACHE_ENTRIES).build();

    /** @param trunkRegions ISO 3166 regions, in order, for national numbers with a trunk 0 ({@code GB}, {@code DE}) */
    PhoneNumbers(List<String> trunkRegions) {
        for (String region : trunkRegions) {
            if (!UTIL.getSupportedRegions().contains(region)) {
                throw new IllegalArgumentException("libphonenumber does not know the region '" + region + "'");
            }
        }
        this.trunkRegions = List.copyOf(trunkRegions);
    }

    static PhoneNumbers defaults() {
        return new PhoneNumbers(List.of("GB", "DE", "FR", "IT", "ES", "NL", "AU", "IE", "IN"));
    }

    /** The regions national numbers with a trunk 0 are read in. */
    List<String> trunkRegions() {
        return trunkRegions;
    }

    /** Whether {@code candidate} is one valid phone number, read as {@code shape} says, covering the whole text. */
    boolean valid(String candidate, Shape shape) {
        Objects.requireNonNull(shape, "shape");
        Boolean known = verdicts.getIfPresent(candidate);
        if (known != null) {
            return known;
        }
        boolean valid = switch (shape) {
            case INTERNATIONAL -> matchesWhole(candidate, "ZZ");
            case NORTH_AMERICAN -> matchesWhole(candidate, "US");
            case TRUNK -> trunkRegions.stream().anyMatch(region -> matchesWhole(candidate, region));
            case INDIAN -> matchesWhole(candidate, "IN");
        };
        verdicts.put(candidate, valid);
        return valid;
    }

    private static boolean matchesWhole(String candidate, String region) {
        for (PhoneNumberMatch match : UTIL.findNumbers(candidate, region, PhoneNumberUtil.Leniency.VALID,
                Long.MAX_VALUE)) {
            // a match that leaves digits out is another number inside the candidate, not the candidate
            if (firstDigit(candidate) >= match.start() && lastDigit(candidate) < match.end()) {
                return true;
            }
        }
        return false;
    }

    private static int firstDigit(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                return i;
            }
        }
        return s.length();
    }

    private static int lastDigit(String s) {
        for (int i = s.length() - 1; i >= 0; i--) {
            if (Character.isDigit(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** How a candidate's digits are laid out, which decides the regions it is read in. */
    enum Shape {
        /** Starts with {@code +} and a country code. */
        INTERNATIONAL,
        /** Ten digits (or eleven after a 1) laid out as 3-3-4 or run together. */
        NORTH_AMERICAN,
        /** A national number with a trunk 0, as in Europe and Australia. */
        TRUNK,
        /** Ten digits starting 6 to 9, as mobile numbers in India. */
        INDIAN;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
