package dev.smartflow.providers.vertex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

/**
 * A Google service account made for a test: a fresh RSA key, its key file in the format Google issues
 * ({@code type: service_account}) with {@code token_uri} pointing at the test's own token endpoint, and a check of the
 * signed JWT the auth library presents there.
 */
final class ServiceAccounts {
    static final String EMAIL = "gateway@acme-prod.iam.gserviceaccount.com";
    static final String PROJECT = "acme-prod";

    private final KeyPair keys;

    ServiceAccounts() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            this.keys = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the key file to {@code dir} and returns its path. */
    Path keyFile(Path dir, String tokenUri) {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        ObjectNode file = Body.MAPPER.createObjectNode()
                .put("type", "service_account")
                .put("project_id", PROJECT)
                .put("private_key_id", "0123456789abcdef0123456789abcdef01234567")
                .put("private_key", pem)
                .put("client_email", EMAIL)
                .put("client_id", "109876543210987654321")
                .put("auth_uri", "https://accounts.google.com/o/oauth2/auth")
                .put("token_uri", tokenUri);
        try {
            Path path = dir.resolve("service-account.json");
            Files.writeString(path, file.toString());
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The claims of a JWT whose RS256 signature this account's public key verifies; fails otherwise. */
    JsonNode verifiedClaims(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            throw new AssertionError("not a JWT: " + jwt.length() + " characters");
        }
        try {
            JsonNode header = Body.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[0]));
            if (!"RS256".equals(header.path("alg").asText())) {
                throw new AssertionError("JWT is not RS256: " + header);
            }
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify((RSAPublicKey) keys.getPublic());
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rsa.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                throw new AssertionError("the JWT's signature does not verify with the account's public key");
            }
            return Body.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IOException | GeneralSecurityException e) {
            throw new AssertionError("unreadable JWT", e);
        }
    }
}
