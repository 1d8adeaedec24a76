package dev.smartflow.core.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.testing.DelegatingKeyStore;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.core.testing.FakeTicker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VirtualKeyAuthenticatorTest {
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    private final CountingKeyStore store = new CountingKeyStore(new InMemoryDatabase().keys());
    private final InMemorySharedState state = new InMemorySharedState();
    private final FakeTicker ticker = new FakeTicker();
    private final VirtualKeys keys = new VirtualKeys(store, state, InstantSource.fixed(NOW));
    private final VirtualKeyAuthenticator authenticator = new VirtualKeyAuthenticator(store, state, ticker,
            InstantSource.fixed(NOW), Runnable::run, 100, Duration.ofMinutes(5), Duration.ofSeconds(10),
            Duration.ofMinutes(1));

    @AfterEach
    void close() {
        authenticator.close();
    }

    @Test
    void anIssuedTokenAuthenticatesAsItsKey() {
        // given
        VirtualKeys.Issued issued = keys.issue("ci", "team-a", b -> b.allowedProviders(Set.of("groq")));

        // when
        Principal principal = authenticator.authenticate(issued.token()).orElseThrow();

        // then
        assertEquals(Principal.Kind.VIRTUAL_KEY, principal.kind());
        assertEquals(issued.key().id().value(), principal.id());
        assertEquals("team-a", principal.key().orElseThrow().ownerId());
        assertTrue(principal.allowsProvider("groq"));
        assertTrue(!principal.allowsProvider("openai"));
    }

    @Test
    void aCachedKeyIsNotLookedUpAgain() {
        // given
        String token = keys.issue("ci", "team-a", b -> b).token();
        authenticator.authenticate(token);

        // when
        for (int i = 0; i < 10; i++) {
            assertTrue(authenticator.authenticate(token).isPresent());
        }

        // then
        assertEquals(1, store.lookups.get());
    }

    @Test
    void anUnknownTokenIsRememberedForTheNegativeTtl() {
        // given
        String unknown = "sk-sf-" + "0".repeat(48);

        // when
        for (int i = 0; i < 10; i++) {
            assertTrue(authenticator.authenticate(unknown).isEmpty());
        }
        ticker.advance(Duration.ofSeconds(11));
        authenticator.authenticate(unknown);

        // then
        assertEquals(2, store.lookups.get());
    }

    @Test
    void aTokenOfTheWrongShapeIsRejectedWithoutALookup() {
        // when
        Optional<Principal> principal = authenticator.authenticate("sk-something-else");

        // then
        assertTrue(principal.isEmpty());
        assertEquals(0, store.lookups.get());
    }

    @Test
    void revokingThroughPubSubDropsTheCachedKeyAtOnce() {
        // given
        VirtualKeys.Issued issued = keys.issue("ci", "team-a", b -> b);
        assertTrue(authenticator.authenticate(issued.token()).isPresent());

        // when
        keys.revoke(issued.key().id());

        // then
        assertTrue(authenticator.authenticate(issued.token()).isEmpty());
    }

    @Test
    void anInvalidationFromAnotherInstanceDropsTheCachedKey() {
        // given: another instance revoked it in the shared store and announced it
        VirtualKeys.Issued issued = keys.issue("ci", "team-a", b -> b);
        authenticator.authenticate(issued.token());
        store.revoke(issued.key().id());
        assertTrue(authenticator.authenticate(issued.token()).isPresent(), "cached until told");

        // when
        state.publish(VirtualKeys.CHANNEL, issued.key().id().value());

        // then
        assertTrue(authenticator.authenticate(issued.token()).isEmpty());
    }

    @Test
    void theRevokingInstanceForgetsTheKeyBeforeRevokeReturnsEvenWhenPubSubIsSlow() {
        // given: a shared state whose deliveries never arrive in time
        InMemorySharedState slow = new InMemorySharedState(ticker, task -> {
        });
        VirtualKeyAuthenticator local = new VirtualKeyAuthenticator(store, slow, ticker, InstantSource.fixed(NOW),
                Runnable::run, 100, Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofMinutes(1));
        VirtualKeys revoking = new VirtualKeys(store, slow, InstantSource.fixed(NOW), local::invalidate);
        VirtualKeys.Issued issued = revoking.issue("ci", "team-a", b -> b);
        assertTrue(local.authenticate(issued.token()).isPresent());

        // when
        revoking.revoke(issued.key().id());

        // then
        assertTrue(local.authenticate(issued.token()).isEmpty());
        local.close();
    }

    @Test
    void anInactiveKeyNeverAuthenticates() {
        // given
        String token = "sk-sf-" + "ab".repeat(24);
        store.create(VirtualKey.builder(KeyId.of("key_inactive"), "old", "team-a", VirtualKeys.hash(token), NOW)
                .active(false).build());

        // then
        assertTrue(authenticator.authenticate(token).isEmpty());
    }

    @Test
    void lastUseIsRecordedAtMostOnceAMinutePerKey() {
        // given
        VirtualKeys.Issued issued = keys.issue("ci", "team-a", b -> b);

        // when
        authenticator.authenticate(issued.token());
        authenticator.authenticate(issued.token());
        ticker.advance(Duration.ofSeconds(30));
        authenticator.authenticate(issued.token());
        ticker.advance(Duration.ofSeconds(31));
        authenticator.authenticate(issued.token());

        // then
        assertEquals(2, store.touches.get());
        assertEquals(Optional.of(NOW), store.findById(issued.key().id()).orElseThrow().lastUsed());
    }

    @Test
    void aFailingTouchDoesNotFailAuthentication() {
        // given
        VirtualKeys.Issued issued = keys.issue("ci", "team-a", b -> b);
        store.failTouches = true;

        // then
        assertTrue(authenticator.authenticate(issued.token()).isPresent());
    }

    @Test
    void theCacheStaysWithinItsBound() {
        // when
        for (int i = 0; i < 250; i++) {
            authenticator.authenticate("sk-sf-" + String.format("%048x", i));
        }

        // then
        assertTrue(authenticator.cachedEntries() <= 100, "cached " + authenticator.cachedEntries());
    }

    /** Counts lookups and touches on the real in-memory store. */
    private static final class CountingKeyStore extends DelegatingKeyStore {
        final AtomicInteger lookups = new AtomicInteger();
        final AtomicInteger touches = new AtomicInteger();
        volatile boolean failTouches;

        CountingKeyStore(KeyStore delegate) {
            super(delegate);
        }

        @Override
        public Optional<VirtualKey> findByTokenHash(String tokenHash) {
            lookups.incrementAndGet();
            return super.findByTokenHash(tokenHash);
        }

        @Override
        public boolean touch(KeyId id, Instant lastUsed) {
            touches.incrementAndGet();
            if (failTouches) {
                throw new IllegalStateException("the database is down");
            }
            return super.touch(id, lastUsed);
        }
    }
}
