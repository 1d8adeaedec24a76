package dev.smartflow.core.keys;

import dev.smartflow.core.error.StateUnavailable;
import dev.smartflow.core.model.Usd;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.VirtualKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Issues and revokes virtual keys. A token is {@code sk-sf-} followed by 48 lower-case hex digits (24 random bytes);
 * it is returned once by {@link #issue} and never stored: the {@link KeyStore} keeps its SHA-256 hex
 * ({@link VirtualKey#tokenHash()}). Revoking publishes the key id on {@link #CHANNEL} so that every
 * {@link VirtualKeyAuthenticator} sharing the {@link SharedState} drops the key at once. Pub/sub may deliver
 * asynchronously (Redis does), so this instance's own authenticator is told directly too, before {@link #revoke}
 * returns: a revoked key is rejected by the next request here, whatever the pub/sub latency.
 *
 * <pre>{@code
 * VirtualKeys keys = new VirtualKeys(database.keys(), sharedState, InstantSource.system(), authenticator::invalidate);
 * VirtualKeys.Issued issued = keys.issue("ci", "team-a", b -> b.allowedProviders(Set.of("openai")));
 * show(issued.token());                 // once; only its hash is kept
 * keys.revoke(issued.key().id());
 * }</pre>
 *
 * <p>A new key's fields are held to limits that every store keeps exactly (see {@link #issue}): its name and owner
 * at most {@value #MAX_NAME_LENGTH} characters (Unicode code points), at most {@value #MAX_TAGS} tags and
 * {@value #MAX_PROVIDERS} allowed providers of at most {@value #MAX_TAG_LENGTH} characters each, no control
 * characters (NUL, line breaks, ...) or unpaired surrogates in any of them, and a budget of at most
 * {@link #MAX_BUDGET_MICROS} (one billion USD).
 *
 * <p>Thread-safe. Calls block on the key store; run them off the hot path.
 */
public final class VirtualKeys {
    /**
     * The shared-state channel on which revocations are announced; the message is the key id. (Redis adds its key
     * prefix, so the channel there is {@code smartflow:keys}.)
     */
    public static final String CHANNEL = "keys";
    /** Every token starts with this. */
    public static final String PREFIX = "sk-sf-";
    /** Length of a token: the prefix and 48 hex digits. */
    public static final int TOKEN_LENGTH = PREFIX.length() + 48;

    private static final System.Logger LOG = System.getLogger(VirtualKeys.class.getName());
    /** The most characters (code points) a key's name or owner may have. */
    public static final int MAX_NAME_LENGTH = 256;
    /** The most tags a key may have. */
    public static final int MAX_TAGS = 64;
    /** The most characters (code points) a tag's name or value, or an allowed provider's name, may have. */
    public static final int MAX_TAG_LENGTH = 128;
    /** The most providers a key may be limited to. */
    public static final int MAX_PROVIDERS = 64;
    /** The largest budget a key may have: one billion USD, in micro-USD; far from where sums of spend overflow. */
    public static final long MAX_BUDGET_MICROS = Usd.MAX_MICROS;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private final KeyStore store;
    private final SharedState state;
    private final InstantSource clock;
    private final Consumer<KeyId> onRevoke;

    /** Keys whose revocations reach authenticators only through pub/sub. */
    public VirtualKeys(KeyStore store, SharedState state, InstantSource clock) {
        this(store, state, clock, id -> {
        });
    }

    /**
     * @param onRevoke runs on the revoking thread for each revoked key, before the announcement: pass this
     *                 instance's {@link VirtualKeyAuthenticator#invalidate(KeyId)}
     */
    public VirtualKeys(KeyStore store, SharedState state, InstantSource clock, Consumer<KeyId> onRevoke) {
        this.store = Objects.requireNonNull(store, "store");
        this.state = Objects.requireNonNull(state, "state");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.onRevoke = Objects.requireNonNull(onRevoke, "onRevoke");
    }

    /**
     * Creates an active key with a fresh token and id; {@code options} sets the limits, providers and tags on the
     * builder it is given.
     *
     * @throws IllegalArgumentException when a value is invalid or beyond the limits in the class comment (the
     *                                  message names the field); nothing is stored then
     */
    public Issued issue(String name, String ownerId, UnaryOperator<VirtualKey.Builder> options) {
        String token = PREFIX + HEX.formatHex(random(24));
        KeyId id = KeyId.of("key_" + HEX.formatHex(random(12)));
        VirtualKey key = options.apply(VirtualKey.builder(id, name, ownerId, hash(token), clock.instant())).build();
        requireWithinLimits(key);
        store.create(key);
        return new Issued(token, key);
    }

    /**
     * Why {@code text} cannot be one of a key's fields: too long (more than {@code maxLength} code points), a
     * control character or an unpaired surrogate, which databases keep differently or refuse (PostgreSQL rejects
     * NUL); empty when it can.
     */
    public static Optional<String> textProblem(String text, int maxLength) {
        if (text.length() > maxLength && text.codePointCount(0, text.length()) > maxLength) {
            return Optional.of("is longer than " + maxLength + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                return Optional.of(String.format(Locale.ROOT, "contains the control character U+%04X", (int) c));
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return Optional.of("contains an unpaired surrogate (not valid Unicode)");
            }
        }
        return Optional.empty();
    }

    private static void requireWithinLimits(VirtualKey key) {
        requireText("name", key.name(), MAX_NAME_LENGTH);
        requireText("ownerId", key.ownerId(), MAX_NAME_LENGTH);
        if (key.allowedProviders().size() > MAX_PROVIDERS) {
            throw new IllegalArgumentException("allowedProviders has more than " + MAX_PROVIDERS + " entries");
        }
        key.allowedProviders().forEach(provider -> requireText("allowedProviders", provider, MAX_TAG_LENGTH));
        if (key.tags().size() > MAX_TAGS) {
            throw new IllegalArgumentException("tags has more than " + MAX_TAGS + " entries");
        }
        key.tags().forEach((tag, value) -> {
            requireText("tags", tag, MAX_TAG_LENGTH);
            requireText("tags", value, MAX_TAG_LENGTH);
        });
        if (key.budgetMicros().orElse(0) > MAX_BUDGET_MICROS) {
            throw new IllegalArgumentException("budgetMicros is more than " + MAX_BUDGET_MICROS);
        }
    }

    private static void requireText(String field, String text, int maxLength) {
        textProblem(text, maxLength).ifPresent(problem -> {
            throw new IllegalArgumentException(field + " " + problem);
        });
    }

    /**
     * Marks the key inactive and tells every instance to drop it; false when the key is unknown. While shared state is
     * unreachable the revocation still holds (durably, and at once on this instance); other instances drop the key when
     * their cached lookup expires, as they would after a lost message.
     */
    public boolean revoke(KeyId id) {
        boolean known = store.revoke(id);
        if (known) {
            onRevoke.accept(id);
            try {
                state.publish(CHANNEL, id.value());
            } catch (StateUnavailable e) {
                LOG.log(System.Logger.Level.WARNING, "key " + id.value() + " is revoked, but other instances could"
                        + " not be told: shared state is unreachable (" + e.reason() + "); they drop the key when"
                        + " their cached lookup expires");
            }
        }
        return known;
    }

    /** The key store behind these keys, for reads. */
    public KeyStore store() {
        return store;
    }

    /** Whether {@code token} has the shape of a virtual key token (not whether such a key exists). */
    public static boolean looksLikeToken(String token) {
        if (token.length() != TOKEN_LENGTH || !token.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < token.length(); i++) {
            char c = token.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The lower-case hex SHA-256 of {@code token}, as {@link VirtualKey#tokenHash()} keeps it. */
    public static String hash(String token) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] random(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return value;
    }

    /**
     * A newly issued key and its token, which is shown to the caller once and is not recoverable afterwards.
     * {@link #toString()} leaves the token out.
     */
    public record Issued(String token, VirtualKey key) {
        public Issued {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString() {
            return "Issued[token=██, key=" + key + "]";
        }
    }
}
