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
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.spi.BudgetState;
import dev.smartflow.core.spi.Reservation;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.WindowDecision;
import dev.smartflow.testkit.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionsTest {
    /** The shared state as an instance sees it when every published message to it is lost. */
    private static final class WithoutPubSub implements SharedState {
        private final SharedState store;

        WithoutPubSub(SharedState store) {
            this.store = store;
        }

        @Override
        public Subscription subscribe(String channel, java.util.function.Consumer<String> listener) {
            return () -> { };
        }

        @Override
        public void publish(String channel, String message) {
            store.publish(channel, message);
        }

        @Override
        public Optional<String> get(String key) {
            return store.get(key);
        }

        @Override
        public void set(String key, String value, Optional<Duration> ttl) {
            store.set(key, value, ttl);
        }

        @Override
        public boolean setIfAbsent(String key, String value, Duration ttl) {
            return store.setIfAbsent(key, value, ttl);
        }

        @Override
        public boolean delete(String key) {
            return store.delete(key);
        }

        @Override
        public long increment(String key, long delta, Optional<Duration> ttlWhenCreated) {
            return store.increment(key, delta, ttlWhenCreated);
        }

        @Override
        public java.util.Map<String, String> hashGetAll(String key) {
            return store.hashGetAll(key);
        }

        @Override
        public void hashPut(String key, String field, String value) {
            store.hashPut(key, field, value);
        }

        @Override
        public long hashIncrement(String key, String field, long delta) {
            return store.hashIncrement(key, field, delta);
        }

        @Override
        public java.util.OptionalLong hashIncrementWithin(String key, String field, long delta, long limit) {
            return store.hashIncrementWithin(key, field, delta, limit);
        }

        @Override
        public Optional<String> hashGet(String key, String field) {
            return store.hashGet(key, field);
        }

        @Override
        public boolean hashRemove(String key, String field) {
            return store.hashRemove(key, field);
        }

        @Override
        public Optional<Duration> ttl(String key) {
            return store.ttl(key);
        }

        @Override
        public boolean expire(String key, Duration ttl) {
            return store.expire(key, ttl);
        }

        @Override
        public Reservation reserve(String budgetKey, long micros, long limitMicros, Duration hold) {
            return store.reserve(budgetKey, micros, limitMicros, hold);
        }

        @Override
        public void settle(Reservation reservation, long actualMicros) {
            store.settle(reservation, actualMicros);
        }

        @Override
        public void release(Reservation reservation) {
            store.release(reservation);
        }

        @Override
        public BudgetState budget(String budgetKey) {
            return store.budget(budgetKey);
        }

        @Override
        public void resetBudget(String budgetKey) {
            store.resetBudget(budgetKey);
        }

        @Override
        public WindowDecision hit(String key, Duration window, long limit, long cost) {
            return store.hit(key, window, limit, cost);
        }

        @Override
        public void close() {
        }
    }

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static final Duration RECHECK = Duration.ofSeconds(5);

    private final FakeClock clock = new FakeClock();
    private final InMemorySharedState state = new InMemorySharedState(clock, Runnable::run);
    private final Sessions sessions = instance(state);

    /** Another gateway instance on {@code shared}: same key and clock, a ledger of its own. */
    private Sessions instance(SharedState shared) {
        return new Sessions(KEY, clock, Duration.ofHours(1), new SessionLedger(shared, "dash:", clock, RECHECK));
    }

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
                clock, Duration.ofHours(1), new SessionLedger(state, "dash:", clock, RECHECK));
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
    void aLogoutOnOneInstanceEndsTheSessionOnAnotherThatHadAlreadyAdmittedIt() {
        Sessions other = instance(state);
        Sessions.Issued issued = sessions.issue("alice", Role.ADMIN, false);
        assertTrue(other.verify(issued.token()).isPresent());

        sessions.revoke(issued.session());

        assertFalse(other.verify(issued.token()).isPresent(), "told by the published message");
        assertEquals(Optional.of(Duration.ofHours(1)), state.ttl("dash:revoked:" + issued.session().id()),
                "kept as long as the token would have lived");
    }

    @Test
    void anInstanceThatMissedTheMessageReadsTheRevocationOnceItsRecheckHasPassed() {
        SharedState deaf = new WithoutPubSub(state);
        Sessions other = instance(deaf);
        Sessions.Issued issued = sessions.issue("alice", Role.ADMIN, false);
        assertTrue(other.verify(issued.token()).isPresent());

        sessions.revoke(issued.session());
        assertTrue(other.verify(issued.token()).isPresent(), "within the recheck it trusts what it read");
        clock.advance(RECHECK);

        assertFalse(other.verify(issued.token()).isPresent());
        assertFalse(instance(deaf).verify(issued.token()).isPresent(), "an instance that never saw it asks the store");
    }

    @Test
    void endingAUsersSessionsRefusesEveryEarlierTokenOfTheUserOnEveryInstanceButNotLaterOnes() {
        Sessions other = instance(state);
        String first = sessions.issue("alice", Role.ADMIN, false).token();
        String second = other.issue("alice", Role.ADMIN, false).token();
        String bob = sessions.issue("bob", Role.VIEWER, false).token();
        assertTrue(other.verify(first).isPresent());

        sessions.endAll("alice");

        for (Sessions instance : new Sessions[] {sessions, other}) {
            assertFalse(instance.verify(first).isPresent());
            assertFalse(instance.verify(second).isPresent());
            assertTrue(instance.verify(bob).isPresent(), "another user's session lives on");
        }
        String fresh = other.issue("alice", Role.VIEWER, false).token();
        assertTrue(sessions.verify(fresh).isPresent());
        assertTrue(other.verify(fresh).isPresent());
    }

    @Test
    void anInstanceThatMissedTheEpochReadsItOnceItsRecheckHasPassed() {
        Sessions other = instance(new WithoutPubSub(state));
        String token = sessions.issue("alice", Role.ADMIN, false).token();
        assertTrue(other.verify(token).isPresent());

        sessions.endAll("alice");
        assertTrue(other.verify(token).isPresent(), "within the recheck it trusts the epoch it read");
        clock.advance(RECHECK);

        assertFalse(other.verify(token).isPresent());
        sessions.endAll("alice");
        assertTrue(other.verify(sessions.issue("alice", Role.ADMIN, false).token()).isPresent(),
                "a token newer than the epoch it knew makes it read the epoch again");
    }

    @Test
    void aTokenWithoutAnEpochIsRefused() throws Exception {
        SignedJWT old = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                .issuer("smartflow").subject("alice").jwtID("x").claim("role", "admin").claim("csrf", "c")
                .expirationTime(Date.from(clock.instant().plusSeconds(60))).build());
        old.sign(new MACSigner(KEY));

        assertFalse(sessions.verify(old.serialize()).isPresent());
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
