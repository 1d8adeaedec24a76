package dev.smartflow.compliance.detect;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Layer 1 of the compliance engine: finds personal data and secrets in text with validating recognizers, in one pass.
 *
 * <pre>{@code
 * Detector detector = Detector.standard();
 * for (Finding finding : detector.scan("My SSN is 123-45-6789, email john@example.com")) {
 *     System.out.println(finding.type() + " at " + finding.start() + ".." + finding.end());   // SSN, EMAIL
 * }
 * }</pre>
 *
 * <p><b>What it finds.</b> US social security numbers (the SSA's area, group and serial rules), payment cards (issuer
 * prefix and length, spaces or dashes in the issuers' groupings, Luhn), e-mail addresses, phone numbers (validated by
 * libphonenumber in their numbering plan; a phone-shaped number near a word such as "call" also counts), IBANs (the
 * country's length and mod 97), IPv4 and IPv6 addresses, medical record and passport numbers and dates of birth (only
 * next to a word that names them), and secrets: {@code sk-} API keys, AWS access keys, GitHub tokens, JWTs and
 * private-key blocks. Each {@link Finding} has a type, a span and a score; context words raise the score, or let a
 * context-only type fire, and opposing words ("IMEI", "order", "version") stop a look-alike.
 *
 * <p><b>How.</b> One left-to-right pass dispatches on the character at hand: a digit (or {@code +}, {@code (}) starts a
 * number span (digit groups with single separators), {@code @} an e-mail, {@code :} an IPv6 address, a word start the
 * secret prefixes and IBAN/ID shapes, {@code -----BEGIN} a key block. Everything else is skipped a word at a time, so
 * prose costs a few nanoseconds a character and the validators (Luhn, mod 97, libphonenumber, the context words) run
 * only on candidates. Nothing is compiled per call; a scan allocates its findings and a few small buffers.
 *
 * <p>Immutable and thread-safe; share one instance.
 */
public final class Detector {
    private static final Detector STANDARD = new Detector(EnumSet.allOf(EntityType.class), PhoneNumbers.defaults());

    private final long enabled;
    private final Set<EntityType> types;
    final PhoneNumbers phones;

    private Detector(Set<EntityType> types, PhoneNumbers phones) {
        EnumSet<EntityType> copy = EnumSet.noneOf(EntityType.class);
        copy.addAll(types);
        long bits = 0;
        for (EntityType type : copy) {
            bits |= 1L << type.ordinal();
        }
        this.enabled = bits;
        this.types = Set.copyOf(copy);
        this.phones = phones;
    }

    /** Every recognizer, national phone numbers read in GB, DE, FR, IT, ES, NL, AU, IE and IN. */
    public static Detector standard() {
        return STANDARD;
    }

    /**
     * Every recognizer, national phone numbers with a trunk 0 read in {@code trunkRegions} (ISO 3166 codes, in
     * order); numbers with {@code +} are read in their own country, North-American ones as +1 and Indian mobiles as
     * +91 whatever this says.
     *
     * @throws IllegalArgumentException when libphonenumber does not know a region
     */
    public static Detector withPhoneRegions(List<String> trunkRegions) {
        return new Detector(EnumSet.allOf(EntityType.class), new PhoneNumbers(trunkRegions));
    }

    /** This detector limited to {@code wanted}: the others are not looked for at all. */
    public Detector only(Collection<EntityType> wanted) {
        return new Detector(Set.copyOf(Objects.requireNonNull(wanted, "wanted")), phones);
    }

    /** The types this detector looks for. */
    public Set<EntityType> types() {
        return types;
    }

    /** The regions national phone numbers with a trunk 0 are read in. */
    public List<String> phoneRegions() {
        return phones.trunkRegions();
    }

    /** Every finding in {@code text}, by position, none overlapping another. */
    public List<Finding> scan(String text) {
        Objects.requireNonNull(text, "text");
        if (enabled == 0 || text.isEmpty()) {
            return List.of();
        }
        return new Scan(text, enabled, phones).run();
    }

    /** Sorted by start; of two overlapping findings the one with the higher score (then the longer) stays. */
    static List<Finding> resolve(List<Finding> found) {
        if (found.size() < 2) {
            return found;
        }
        found.sort((a, b) -> a.start() != b.start() ? Integer.compare(a.start(), b.start())
                : Integer.compare(b.end(), a.end()));
        List<Finding> kept = new ArrayList<>(found.size());
        for (Finding next : found) {
            if (!kept.isEmpty()) {
                Finding last = kept.getLast();
                if (next.start() < last.end()) {
                    if (next.score() > last.score()
                            || (next.score() == last.score() && next.length() > last.length())) {
                        kept.set(kept.size() - 1, next);
                    }
                    continue;
                }
            }
            kept.add(next);
        }
        return kept;
    }
}
