package dev.smartflow.server.module;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts what a module keeps of its upstream credentials (MCP servers' secrets, users' OAuth tokens, A2A agents'
 * credentials) before they reach the database: AES-256-GCM with a random 96-bit nonce per value, so stored text reveals nothing and any change to it
 * is detected. Sealed text is {@code v1:} and the Base64 of nonce and ciphertext.
 *
 * <p>The key comes from the module's {@code encryption_key} when set (any passphrase; its SHA-256 is the key), else
 * from the master key (an HMAC of it under the module's purpose, so two modules never share a key), which every
 * instance of one deployment shares. Rotating the master key without setting {@code encryption_key} to the old one
 * makes stored secrets unreadable: register the upstreams again.
 *
 * <p>Thread-safe. Messages of its exceptions never contain plaintext or key material.
 */
public final class SecretBox {
    private static final String PREFIX = "v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private SecretBox(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** A box keyed by the SHA-256 of {@code passphrase}. */
    public static SecretBox fromPassphrase(String passphrase) {
        Objects.requireNonNull(passphrase, "passphrase");
        try {
            return new SecretBox(MessageDigest.getInstance("SHA-256")
                    .digest(passphrase.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * A box keyed by an HMAC-SHA256 of the gateway's master key under {@code purpose} (e.g.
     * {@code smartflow-mcp-secrets-v1}), the same on every instance that shares it.
     */
    public static SecretBox fromMasterKey(String masterKey, String purpose) {
        Objects.requireNonNull(masterKey, "masterKey");
        Objects.requireNonNull(purpose, "purpose");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(masterKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return new SecretBox(mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        }
    }

    public String seal(String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a secret: " + e.getClass().getSimpleName());
        }
    }

    /**
     * @throws IllegalStateException when the text was not sealed by this key, or was changed since
     */
    public String open(String sealed) {
        if (!sealed.startsWith(PREFIX)) {
            throw new IllegalStateException("not sealed text");
        }
        byte[] in;
        try {
            in = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("sealed text is not Base64");
        }
        if (in.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalStateException("sealed text is too short");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealed text does not open with this key (another encryption key, or "
                    + "changed since it was sealed)");
        }
    }
}
