package dev.smartflow.dashboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.smartflow.core.spi.UserStore.Role;
import dev.smartflow.testkit.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionsTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final FakeClock clock = new FakeClock();
    private final Sessions sessions = new Sessions(KEY, clock, Duration.ofHours(1));

    @Test
    void anIssuedTokenVerifiesToItsSession() {
        Sessions.Issued issued = sessions.issue("alice", Role.VIEWER, false);

        Session session = sessions.verify(issued.token()).orElseThrow();

        assertEquals("alice", session.user());
        assertEquals(Role.VIEWER, session.role());
        assertEquals(issued.session().csrf(), session.csrf());
        assertEquals(clock.instant().plus(Duration.ofHours(1)), session.expiresAt());
        assertEquals(48, session.csrf().length());
    }

    @Test
    void anExpiredTokenIsRefused() {
        String token = sessions.issue("alice", Role.ADMIN, false).token();

        clock.advance(Duration.ofMinutes(59));
        assertTrue(sessions.verify(token).isPresent());
        clock.advance(Duration.ofMinutes(1));
        assertFalse(sessions.verify(token).isPresent());
    }

    @Test
    void aTamperedTokenIsRefused() {
        String token = sessions.issue("alice", Role.VIEWER, false).token();
        String[] parts = token.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"viewer\"", "\"admin\"");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];

        assertFalse(sessions.verify(forged).isPresent());
        assertFalse(sessions.verify(token.substring(0, token.length() - 2)).isPresent());
        assertFalse(sessions.verify("not a jwt").isPresent());
    }

    @Test
    void aTokenOfAnotherKeyOrWithoutSignatureIsRefused() throws Exception {
        Sessions other = new Sessions("another-key-another-key-another-k".getBytes(StandardCharsets.US_ASCII),
                clock, Duration.ofHours(1));
        assertFalse(sessions.verify(other.issue("alice", Role.ADMIN, false).token()).isPresent());

        String token = sessions.issue("alice", Role.ADMIN, false).token();
        String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + token.split("\\.")[1] + ".";
        assertFalse(sessions.verify(unsigned).isPresent());

        SignedJWT hs512 = new SignedJWT(new JWSHeader(JWSAlgorithm.HS512), new JWTClaimsSet.Builder()
                .issuer("smartflow").subject("alice").jwtID("x").claim("role", "admin").claim("csrf", "c")
                .expirationTime(Date.from(clock.instant().plusSeconds(60))).build());
        hs512.sign(new MACSigner((new String(KEY, StandardCharsets.US_ASCII) + new String(KEY,
                StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII)));
        assertFalse(sessions.verify(hs512.serialize()).isPresent(), "only HS256 is accepted");
    }

    @Test
    void aRevokedTokenIsRefused() {
        Sessions.Issued issued = sessions.issue("alice", Role.ADMIN, false);

        sessions.revoke(issued.session());

        assertFalse(sessions.verify(issued.token()).isPresent());
        assertTrue(sessions.verify(sessions.issue("alice", Role.ADMIN, false).token()).isPresent());
    }

    @Test
    void theKeyFileIsMadeOnceOwnerOnlyAndReused(@TempDir Path dir) throws Exception {
        byte[] first = Sessions.keyOf(dir);
        byte[] again = Sessions.keyOf(dir);

        assertEquals(32, first.length);
        assertArrayEquals(first, again);
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(Sessions.KEY_FILE))));
    }
}
