package dev.smartflow.core.keys;

import dev.smartflow.core.exchange.Principal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Accepts the master key. Both sides are hashed before comparing so the comparison takes the same time whatever the
 * presented token's length or content.
 */
public final class MasterKeyAuthenticator implements Authenticator {
    private final byte[] masterHash;

    public MasterKeyAuthenticator(String masterKey) {
        if (masterKey == null || masterKey.isBlank()) {
            throw new IllegalArgumentException("master key must not be blank");
        }
        this.masterHash = sha256(masterKey);
    }

    @Override
    public Optional<Principal> authenticate(String token) {
        return MessageDigest.isEqual(masterHash, sha256(token)) ? Optional.of(Principal.MASTER) : Optional.empty();
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "MasterKeyAuthenticator[██]";
    }
}
