package dev.smartflow.core.spi;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable record of virtual keys and of what each has spent per budget period. Obtained from
 * {@link Database#keys()}.
 *
 * <pre>{@code
 * KeyStore keys = database.keys();
 * keys.create(key);
 * VirtualKey caller = keys.findByTokenHash(sha256Hex(token)).filter(VirtualKey::active).orElseThrow(...);
 * long spent = keys.addSpend(caller.id(), "2026-11", costMicros);
 * }</pre>
 *
 * <p><b>Contract.</b> Thread-safe; every method is atomic and durable once it returns (for the in-memory store,
 * for the life of the process). Calls block until the store answers; run them on virtual threads. Nothing accepts or
 * returns {@code null}. Lists come in creation order ({@link VirtualKey#createdAt()}, then id). Spend is a total per
 * (key, period key) that the caller names; it is kept for any key id, existing or not, and survives revocation.
 * Amounts are {@code long} micro-USD. A failure of the backing store surfaces as the implementation's unchecked
 * exception; after {@link Database#close()} every call fails with {@link IllegalStateException}.
 */
public interface KeyStore {
    /**
     * Stores a new key.
     *
     * @throws IllegalStateException when a key with the same id or the same token hash exists
     */
    void create(VirtualKey key);

    /** The key with this id, revoked or not; empty when unknown. */
    Optional<VirtualKey> findById(KeyId id);

    /** The key whose token hashes to {@code tokenHash}, revoked or not; empty when unknown. */
    Optional<VirtualKey> findByTokenHash(String tokenHash);

    /** Every key, revoked ones included, in creation order. */
    List<VirtualKey> list();

    /** The keys of one owner, revoked ones included, in creation order. */
    List<VirtualKey> listByOwner(String ownerId);

    /** Marks the key inactive; true when the key exists (revoking twice is harmless). */
    boolean revoke(KeyId id);

    /** Records when the key was last used; true when the key exists. */
    boolean touch(KeyId id, Instant lastUsed);

    /**
     * Atomically adds {@code micros} to the key's spend in {@code periodKey} (absent counts as 0) and returns the new
     * total. Concurrent adds, from this process or others sharing the store, never lose an amount.
     *
     * @throws IllegalArgumentException when {@code micros} is negative or {@code periodKey} blank
     * @throws ArithmeticException      when the total would overflow a {@code long}
     */
    long addSpend(KeyId id, String periodKey, long micros);

    /** The key's spend in {@code periodKey}; 0 when nothing was added. */
    long spend(KeyId id, String periodKey);

    /** Forgets the key's spend in {@code periodKey}; true when there was any. */
    boolean resetSpend(KeyId id, String periodKey);
}
