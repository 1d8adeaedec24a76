package dev.smartflow.dashboard;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.smartflow.core.spi.UserStore.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issues and checks the {@code smartflow_token} JWTs (nimbus-jose-jwt, HS256). The key is 32 random bytes in a file
 * of the data directory ({@value #KEY_FILE}, owner-only), made on first start, so sessions survive a restart;
 * deleting the file ends every session. A token names the user, role, a random CSRF token and an expiry; logout
 * revokes its id on this instance until it would have expired anyway. Thread-safe.
 */
final class Sessions {
    static final String KEY_FILE = "dashboard-jwt.key";
    private static final String ISSUER = "smartflow";

    private final byte[] key;
    private final InstantSource clock;
    private final Duration ttl;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Instant> revoked = new ConcurrentHashMap<>();

    Sessions(byte[] key, InstantSource clock, Duration ttl) {
        if (key.length < 32) {
            throw new IllegalArgumentException("an HS256 key has at least 32 bytes");
        }
        this.key = key.clone();
        this.clock = clock;
        this.ttl = ttl;
    }

    /** The key of {@code dataDir}, made there (readable by the owner only) when absent. */
    static byte[] keyOf(Path dataDir) {
        Path file = dataDir.resolve(KEY_FILE);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                Path temp = Files.createTempFile(dataDir, KEY_FILE, ".tmp");
                try {
                    try {
                        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
                    } catch (UnsupportedOperationException e) {
                        // not a POSIX file system: the directory's own permissions protect it
                    }
                    Files.write(temp, HexFormat.of().formatHex(fresh).getBytes(), StandardOpenOption.WRITE);
                    Files.move(temp, file);
                } catch (FileAlreadyExistsException e) {
                    // another instance on this data directory made it first: use theirs
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
            return HexFormat.of().parseHex(Files.readString(file).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the dashboard's JWT key " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the dashboard's JWT key file " + file + " is not hex", e);
        }
    }

    Duration ttl() {
        return ttl;
    }

    /** A new session for {@code user}, and its signed token. */
    Issued issue(String user, Role role, boolean mustChange) {
        Instant now = clock.instant();
        Session session = new Session(user, role, token(24), mustChange, now.plus(ttl), token(16));
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).subject(user).jwtID(session.id())
                .claim("role", role.id()).claim("csrf", session.csrf()).claim("chg", mustChange)
                .issueTime(Date.from(now)).expirationTime(Date.from(session.expiresAt())).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                claims);
        try {
            jwt.sign(new MACSigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a session", e);
        }
        return new Issued(session, jwt.serialize());
    }

    /** The session {@code token} proves: empty when it is malformed, not signed by this key, expired or revoked. */
    Optional<Session> verify(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(new MACVerifier(key))) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expires = claims.getExpirationTime();
            Instant now = clock.instant();
            if (expires == null || !now.isBefore(expires.toInstant()) || !ISSUER.equals(claims.getIssuer())
                    || claims.getJWTID() == null || revoked.containsKey(claims.getJWTID())) {
                return Optional.empty();
            }
            return Optional.of(new Session(claims.getSubject(), Role.of(claims.getStringClaim("role")),
                    claims.getStringClaim("csrf"), Boolean.TRUE.equals(claims.getBooleanClaim("chg")),
                    expires.toInstant(), claims.getJWTID()));
        } catch (ParseException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Ends {@code session} on this instance (its cookie is cleared too). */
    void revoke(Session session) {
        Instant now = clock.instant();
        revoked.values().removeIf(until -> !now.isBefore(until));
        revoked.put(session.id(), session.expiresAt());
    }

    private String token(int bytes) {
        byte[] raw = new byte[bytes];
        random.nextBytes(raw);
        return HexFormat.of().formatHex(raw);
    }

    record Issued(Session session, String token) {
        @Override
        public String toString() {
            return "Issued[" + session + "]";
        }
    }
}
