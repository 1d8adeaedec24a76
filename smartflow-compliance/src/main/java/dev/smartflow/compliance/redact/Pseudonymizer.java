package dev.smartflow.compliance.redact;

import dev.smartflow.compliance.detect.EntityType;
import dev.smartflow.compliance.detect.Finding;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;

/**
 * Reversible pseudonymisation for one tenant and one call: replaces findings with placeholders such as
 * {@code [EMAIL_K7Q2M9XA]} and remembers, in its {@link Vault}, which value each stands for, so that the answer can
 * be given back with the values restored ({@link Restorer}).
 *
 * <pre>{@code
 * Pseudonymizer pseudonyms = new Pseudonymizer(keys, principal.tenant());
 * String sent = pseudonyms.apply(prompt, findings);            // "mail [EMAIL_K7Q2M9XA] about it"
 * String shown = Restorer.restoreAll(answer, pseudonyms.vault()); // the provider's answer, values back in
 * }</pre>
 *
 * <p>A placeholder is the type and 8 base-32 characters of HMAC-SHA256 of the value under the tenant's key: the same
 * value gets the same placeholder in every call of the tenant (so a conversation stays consistent, and a cached answer
 * still fits), other tenants get other ones, and the provider cannot recover the value from it. Phone numbers, cards,
 * SSNs and IBANs are keyed by their digits and letters only, e-mail addresses in lower case, so the same number
 * written twice two ways is one placeholder.
 *
 * <p>Not thread-safe: one per call.
 */
public final class Pseudonymizer {
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    static final int CODE_LENGTH = 8;
    private static final Set<EntityType> BY_ALPHANUMERICS = Set.of(EntityType.PHONE, EntityType.CREDIT_CARD,
            EntityType.SSN, EntityType.IBAN);

    private final PseudonymKeys keys;
    private final String tenant;
    private final Vault vault = new Vault();
    private Mac mac;

    public Pseudonymizer(PseudonymKeys keys, String tenant) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.tenant = Objects.requireNonNull(tenant, "tenant");
    }

    /** {@code text} with each finding replaced by its placeholder, each remembered in the vault. */
    public String apply(String text, List<Finding> findings) {
        return Redactor.replace(text, findings, f -> placeholder(f.type(), text.substring(f.start(), f.end())));
    }

    /** The placeholder of {@code value} as a {@code type}, remembered in the vault. */
    public String placeholder(EntityType type, String value) {
        byte[] digest = mac().doFinal((type.id() + ":" + normalised(type, value)).getBytes(StandardCharsets.UTF_8));
        StringBuilder placeholder = new StringBuilder(type.name().length() + CODE_LENGTH + 3)
                .append('[').append(type.name()).append('_');
        // 8 base-32 characters: the top 40 bits of the digest
        long bits = 0;
        for (int i = 0; i < 5; i++) {
            bits = (bits << 8) | (digest[i] & 0xff);
        }
        for (int i = CODE_LENGTH - 1; i >= 0; i--) {
            placeholder.append(BASE32[(int) ((bits >>> (5 * i)) & 31)]);
        }
        String made = placeholder.append(']').toString();
        vault.remember(made, value);
        return made;
    }

    /** What this call's placeholders stand for. */
    public Vault vault() {
        return vault;
    }

    private Mac mac() {
        if (mac == null) {
            try {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(keys.tenantKey(tenant));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is unavailable", e);
            }
        }
        return mac;
    }

    private static String normalised(EntityType type, String value) {
        if (type == EntityType.EMAIL) {
            return value.toLowerCase(Locale.ROOT);
        }
        if (!BY_ALPHANUMERICS.contains(type)) {
            return value;
        }
        StringBuilder kept = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isLetterOrDigit(c) || (c == '+' && i == 0)) {
                kept.append(Character.toUpperCase(c));
            }
        }
        return kept.toString();
    }

    /** Whether {@code c} may appear in a placeholder after its {@code [}. */
    static boolean placeholderChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7') || c == '_';
    }

    /** The longest placeholder: the longest type name, the code and the brackets. */
    static final int MAX_LENGTH = maxLength();

    private static int maxLength() {
        int longest = 0;
        for (EntityType type : EntityType.values()) {
            longest = Math.max(longest, type.name().length());
        }
        return longest + CODE_LENGTH + 3;
    }

    @Override
    public String toString() {
        return "Pseudonymizer[tenant=" + tenant + ", placeholders=" + vault.size() + "]";
    }
}
