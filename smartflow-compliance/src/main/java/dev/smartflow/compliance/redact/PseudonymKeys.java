package dev.smartflow.compliance.redact;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.smartflow.core.spi.SharedState;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-tenant secrets behind pseudonyms: each tenant's key is HMAC-SHA256 of a master secret and the tenant's name,
 * so tenants never share placeholders, and every gateway instance derives the same ones. The master secret is the
 * SHA-256 of a configured key ({@code compliance.pseudonym_key}), or else a random 256-bit secret the first instance
 * stores in the shared state (without expiry) and every other one reads.
 *
 * <p>Thread-safe. Neither secret ever appears in {@link #toString()}, logs or errors.
 */
public final class PseudonymKeys {
    static final String STATE_KEY = "compliance:pseudonym-master";
    private static final Duration FOREVER = Duration.ofDays(365L * 100);

    private final byte[] master;
    private final Cache<String, SecretKeySpec> tenants = Caffeine.newBuilder().maximumSize(10_000).build();

    private PseudonymKeys(byte[] master) {
        this.master = master;
    }

    /** Keys derived from {@code configuredKey} (any text; at least 16 characters). */
    public static PseudonymKeys fromConfiguredKey(String configuredKey) {
        Objects.requireNonNull(configuredKey, "configuredKey");
        if (configuredKey.strip().length() < 16) {
            throw new IllegalArgumentException("compliance.pseudonym_key must be at least 16 characters long");
        }
        return new PseudonymKeys(sha256(configuredKey.strip().getBytes(StandardCharsets.UTF_8)));
    }

    /** Keys derived from the master secret kept in {@code state}, made by whichever instance comes first. */
    public static PseudonymKeys fromSharedState(SharedState state) {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        state.setIfAbsent(STATE_KEY, Base64.getEncoder().encodeToString(fresh), FOREVER);
        String stored = state.get(STATE_KEY)
                .orElseThrow(() -> new IllegalStateException("the pseudonym secret vanished from the shared state"));
        return new PseudonymKeys(Base64.getDecoder().decode(stored));
    }

    /** A fresh random master secret, for tests and one-off runs. */
    public static PseudonymKeys random() {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        return new PseudonymKeys(fresh);
    }

    /** The HMAC key of {@code tenant}. */
    SecretKeySpec tenantKey(String tenant) {
        return tenants.get(tenant, name -> new SecretKeySpec(hmac(new SecretKeySpec(master, "HmacSHA256"),
                ("smartflow-pseudonym:" + name).getBytes(StandardCharsets.UTF_8)), "HmacSHA256"));
    }

    static byte[] hmac(SecretKeySpec key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "PseudonymKeys[██]";
    }
}
