package dev.smartflow.core.keys;

import dev.smartflow.core.error.StateUnavailable;
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
import java.util.Objects;
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
     * @throws IllegalArgumentException when a value is invalid (the message names the field)
     */
    public Issued issue(String name, String ownerId, UnaryOperator<VirtualKey.Builder> options) {
        String token = PREFIX + HEX.formatHex(random(24));
        KeyId id = KeyId.of("key_" + HEX.formatHex(random(12)));
        VirtualKey key = options.apply(VirtualKey.builder(id, name, ownerId, hash(token), clock.instant())).build();
        store.create(key);
        return new Issued(token, key);
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
