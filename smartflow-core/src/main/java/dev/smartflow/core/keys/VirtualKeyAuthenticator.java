package dev.smartflow.core.keys;

import dev.smartflow.core.Ticker;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.VirtualKey;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accepts virtual keys ({@code sk-sf-…}): the token's SHA-256 is looked up in the {@link KeyStore}, and the holder
 * becomes a {@link Principal#of(VirtualKey) VIRTUAL_KEY principal}. Revoked keys never authenticate.
 *
 * <pre>{@code
 * VirtualKeyAuthenticator virtualKeys = new VirtualKeyAuthenticator(database.keys(), sharedState);
 * Smartflow smartflow = Smartflow.builder().resolver(registry)
 *         .authenticator(new MasterKeyAuthenticator(masterKey).or(virtualKeys))
 *         .build();
 * }</pre>
 *
 * <p><b>Design.</b> The hot path must not wait on the database, so every lookup result is cached in-process by token
 * hash: a found, active key for {@code positiveTtl} (a backstop: revocation is pushed, see below), an unknown or
 * revoked token for the shorter {@code negativeTtl}, so a flood of bad tokens costs one query per distinct token per
 * TTL instead of one per request. Tokens that do not even have the {@code sk-sf-} shape are rejected without a
 * lookup. The cache is a {@link ConcurrentHashMap} bounded by {@code maxEntries}: when full, expired entries go
 * first, then arbitrary ones; precise LRU order buys nothing here because a miss costs one indexed query. Caffeine
 * would do the same with more machinery.
 *
 * <p><b>Invalidation.</b> {@link VirtualKeys#revoke} publishes the key id on {@link VirtualKeys#CHANNEL}; this class
 * subscribes and drops every entry for that id, so a revoked key stops working on every instance that shares the
 * {@link SharedState} as soon as the message arrives (and on the revoking instance before the revoke returns, see
 * {@link VirtualKeys}). Pub/sub is at most once; the positive TTL bounds how long a lost
 * message can keep a revoked key alive.
 *
 * <p><b>Shared-state outages.</b> Authentication never touches shared state: lookups go to the key store and this
 * cache, so keys keep working while Redis is unreachable. Only revocations made on other instances meanwhile are
 * missed (their messages are lost); those keys stop working here when their cache entry expires, within
 * {@code positiveTtl}. The subscription resumes by itself when shared state answers again.
 *
 * <p><b>Last use.</b> {@link KeyStore#touch} runs at most once per {@code touchInterval} per key, on the given
 * executor (a virtual thread by default), never on the request thread; its failures are logged, not thrown.
 *
 * <p>Thread-safe. {@link #close()} ends the subscription.
 */
public final class VirtualKeyAuthenticator implements Authenticator, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VirtualKeyAuthenticator.class.getName());

    private final KeyStore store;
    private final Ticker ticker;
    private final InstantSource clock;
    private final Executor touchExecutor;
    private final int maxEntries;
    private final long positiveTtlNanos;
    private final long negativeTtlNanos;
    private final long touchIntervalNanos;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();
    /** Bumped by every invalidation, so a lookup that raced one does not cache what it read before it. */
    private final AtomicLong invalidations = new AtomicLong();
    private final SharedState.Subscription subscription;

    /**
     * Caches up to 10,000 tokens, found keys for 5 minutes and unknown tokens for 10 seconds, and records last use
     * at most once a minute per key on a virtual thread.
     */
    public VirtualKeyAuthenticator(KeyStore store, SharedState state) {
        this(store, state, Ticker.system(), InstantSource.system(),
                task -> Thread.ofVirtual().name("smartflow-key-touch").start(task),
                10_000, Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofMinutes(1));
    }

    /**
     * @param ticker        time for cache expiry and the touch interval
     * @param clock         the time recorded as a key's last use
     * @param touchExecutor runs {@link KeyStore#touch}; {@code Runnable::run} runs it inline (for tests)
     * @throws IllegalArgumentException when {@code maxEntries} or a duration is not positive
     */
    public VirtualKeyAuthenticator(KeyStore store, SharedState state, Ticker ticker, InstantSource clock,
                                   Executor touchExecutor, int maxEntries, Duration positiveTtl,
                                   Duration negativeTtl, Duration touchInterval) {
        this.store = Objects.requireNonNull(store, "store");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.touchExecutor = Objects.requireNonNull(touchExecutor, "touchExecutor");
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.positiveTtlNanos = positive(positiveTtl, "positiveTtl");
        this.negativeTtlNanos = positive(negativeTtl, "negativeTtl");
        this.touchIntervalNanos = positive(touchInterval, "touchInterval");
        this.subscription = Objects.requireNonNull(state, "state").subscribe(VirtualKeys.CHANNEL, this::invalidate);
    }

    @Override
    public Optional<Principal> authenticate(String token) {
        if (!VirtualKeys.looksLikeToken(token)) {
            return Optional.empty();
        }
        String hash = VirtualKeys.hash(token);
        long now = ticker.nanos();
        Entry entry = cache.get(hash);
        if (entry == null || now - entry.expiresAt >= 0) {
            entry = load(hash, now);
        }
        if (entry.key == null) {
            return Optional.empty();
        }
        touch(entry, now);
        return Optional.of(entry.principal);
    }

    /**
     * Forgets the key with this id, so its token is looked up again on its next use. Called for each message on
     * {@link VirtualKeys#CHANNEL}, and directly by {@link VirtualKeys#revoke} on the revoking instance.
     */
    public void invalidate(KeyId id) {
        invalidate(id.value());
    }

    private void invalidate(String keyId) {
        invalidations.incrementAndGet();
        cache.values().removeIf(e -> e.key != null && e.key.id().value().equals(keyId));
    }

    /** The number of cached tokens, known and unknown. */
    int cachedEntries() {
        return cache.size();
    }

    @Override
    public void close() {
        subscription.close();
        cache.clear();
    }

    @Override
    public String toString() {
        return "VirtualKeyAuthenticator[cached=" + cache.size() + "]";
    }

    private Entry load(String hash, long now) {
        long generation = invalidations.get();
        Optional<VirtualKey> found = store.findByTokenHash(hash).filter(VirtualKey::active);
        Entry entry = found.map(k -> new Entry(k, now + positiveTtlNanos, now - touchIntervalNanos))
                .orElseGet(() -> new Entry(null, now + negativeTtlNanos, now));
        if (cache.size() >= maxEntries) {
            evict(now);
        }
        cache.put(hash, entry);
        if (invalidations.get() != generation) {
            // a revocation may have landed between the read and the put: serve this answer, keep nothing
            cache.remove(hash, entry);
        }
        return entry;
    }

    /** Expired entries first; if none, about a tenth of the rest. */
    private void evict(long now) {
        cache.values().removeIf(e -> now - e.expiresAt >= 0);
        int excess = cache.size() - maxEntries + Math.max(1, maxEntries / 10);
        for (Iterator<Entry> it = cache.values().iterator(); it.hasNext() && excess > 0; excess--) {
            it.next();
            it.remove();
        }
    }

    private void touch(Entry entry, long now) {
        long last = entry.lastTouch.get();
        if (now - last < touchIntervalNanos || !entry.lastTouch.compareAndSet(last, now)) {
            return;
        }
        try {
            touchExecutor.execute(() -> {
                try {
                    store.touch(entry.key.id(), clock.instant());
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "recording the last use of key " + entry.key.id()
                            + " failed: " + e);
                }
            });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not schedule recording the last use of key "
                    + entry.key.id() + ": " + e);
        }
    }

    private static long positive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + duration);
        }
        return duration.toNanos();
    }

    /** A cached lookup: {@code key} is null for an unknown or revoked token. */
    private static final class Entry {
        final VirtualKey key;
        final Principal principal;
        final long expiresAt;
        final AtomicLong lastTouch;

        Entry(VirtualKey key, long expiresAt, long lastTouch) {
            this.key = key;
            this.principal = key == null ? null : Principal.of(key);
            this.expiresAt = expiresAt;
            this.lastTouch = new AtomicLong(lastTouch);
        }
    }
}
