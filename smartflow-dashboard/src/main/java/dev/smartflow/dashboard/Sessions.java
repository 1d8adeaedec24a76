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
import java.util.Optional;

/**
 * Issues and checks the {@code smartflow_token} JWTs (nimbus-jose-jwt, HS256). The key is 32 random bytes in a file
 * of the data directory ({@value #KEY_FILE}, owner-only), made on first start, so sessions survive a restart;
 * deleting the file ends every session. A token names the user, role, a random CSRF token, the user's session epoch
 * and an expiry. Logout revokes its id, and a change of the user's password or role (or the user's deletion) moves
 * the user to a new epoch, on every instance that shares the state (see {@link SessionLedger}). Thread-safe.
 */
final class Sessions {
    static final String KEY_FILE = "dashboard-jwt.key";
    private static final String ISSUER = "smartflow";

    private final byte[] key;
    private final InstantSource clock;
    private final Duration ttl;
    private final SecureRandom random = new SecureRandom();
    private final SessionLedger ledger;

    Sessions(byte[] key, InstantSource clock, Duration ttl, SessionLedger ledger) {
        if (key.length < 32) {
            throw new IllegalArgumentException("an HS256 key has at least 32 bytes");
        }
        this.key = key.clone();
        this.clock = clock;
        this.ttl = ttl;
        this.ledger = ledger;
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
                .claim("ep", ledger.currentEpoch(user))
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

    /**
     * The session {@code token} proves: empty when it is malformed, not signed by this key, expired, revoked, or of
     * an earlier epoch of its user.
     *
     * @throws dev.smartflow.core.error.StateUnavailable when the shared state cannot be asked (a 503, not a logout)
     */
    Optional<Session> verify(String token) {
        Optional<Claims> claims = claims(token);
        if (claims.isEmpty() || ledger.revoked(claims.get().session().id(), claims.get().session().expiresAt())
                || !ledger.current(claims.get().session().user(), claims.get().epoch())) {
            return Optional.empty();
        }
        return Optional.of(claims.get().session());
    }

    private Optional<Claims> claims(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(new MACVerifier(key))) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expires = claims.getExpirationTime();
            Instant now = clock.instant();
            if (expires == null || !now.isBefore(expires.toInstant()) || !ISSUER.equals(claims.getIssuer())
                    || claims.getJWTID() == null || claims.getLongClaim("ep") == null) {
                return Optional.empty();
            }
            return Optional.of(new Claims(new Session(claims.getSubject(), Role.of(claims.getStringClaim("role")),
                    claims.getStringClaim("csrf"), Boolean.TRUE.equals(claims.getBooleanClaim("chg")),
                    expires.toInstant(), claims.getJWTID()), claims.getLongClaim("ep")));
        } catch (ParseException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Ends {@code session} on every instance (its cookie is cleared too). */
    void revoke(Session session) {
        ledger.revoke(session.id(), session.expiresAt());
    }

    /** Ends every session of {@code user} issued so far, on every instance. */
    void endAll(String user) {
        ledger.endAll(user);
    }

    private String token(int bytes) {
        byte[] raw = new byte[bytes];
        random.nextBytes(raw);
        return HexFormat.of().formatHex(raw);
    }

    private record Claims(Session session, long epoch) {
    }

    record Issued(Session session, String token) {
        @Override
        public String toString() {
            return "Issued[" + session + "]";
        }
    }
}
