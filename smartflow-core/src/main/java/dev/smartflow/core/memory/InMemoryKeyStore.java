package dev.smartflow.core.memory;

import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.VirtualKey;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The {@link KeyStore} of an {@link InMemoryDatabase}. Thread-safe: one lock guards the keys, the token-hash index
 * and the spend totals, so every operation is atomic (ReentrantLock, not synchronized: callers run on virtual
 * threads).
 */
public final class InMemoryKeyStore implements KeyStore {
    private static final Comparator<VirtualKey> CREATION_ORDER =
            Comparator.comparing(VirtualKey::createdAt).thenComparing(key -> key.id().value());

    private final AtomicBoolean closed;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<KeyId, VirtualKey> keys = new HashMap<>();
    private final Map<String, KeyId> byTokenHash = new HashMap<>();
    private final Map<SpendKey, Long> spend = new HashMap<>();

    InMemoryKeyStore(AtomicBoolean closed) {
        this.closed = closed;
    }

    @Override
    public void create(VirtualKey key) {
        Objects.requireNonNull(key, "key");
        locked(() -> {
            if (keys.containsKey(key.id()) || byTokenHash.containsKey(key.tokenHash())) {
                throw new IllegalStateException("a key with id " + key.id() + " or the same token hash exists");
            }
            keys.put(key.id(), key);
            byTokenHash.put(key.tokenHash(), key.id());
            return null;
        });
    }

    @Override
    public Optional<VirtualKey> findById(KeyId id) {
        Objects.requireNonNull(id, "id");
        return locked(() -> Optional.ofNullable(keys.get(id)));
    }

    @Override
    public Optional<VirtualKey> findByTokenHash(String tokenHash) {
        Objects.requireNonNull(tokenHash, "tokenHash");
        return locked(() -> Optional.ofNullable(byTokenHash.get(tokenHash)).map(keys::get));
    }

    @Override
    public List<VirtualKey> list() {
        return locked(() -> keys.values().stream().sorted(CREATION_ORDER).toList());
    }

    @Override
    public List<VirtualKey> listByOwner(String ownerId) {
        Objects.requireNonNull(ownerId, "ownerId");
        return locked(() -> keys.values().stream()
                .filter(key -> key.ownerId().equals(ownerId))
                .sorted(CREATION_ORDER)
                .toList());
    }

    @Override
    public boolean revoke(KeyId id) {
        Objects.requireNonNull(id, "id");
        return locked(() -> keys.computeIfPresent(id, (k, key) -> key.revoked()) != null);
    }

    @Override
    public boolean touch(KeyId id, Instant lastUsed) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lastUsed, "lastUsed");
        return locked(() -> keys.computeIfPresent(id, (k, key) -> key.withLastUsed(lastUsed)) != null);
    }

    @Override
    public long addSpend(KeyId id, String periodKey, long micros) {
        SpendKey key = new SpendKey(id, periodKey);
        if (micros < 0) {
            throw new IllegalArgumentException("micros is negative: " + micros);
        }
        return locked(() -> spend.merge(key, micros, Math::addExact));
    }

    @Override
    public long spend(KeyId id, String periodKey) {
        SpendKey key = new SpendKey(id, periodKey);
        return locked(() -> spend.getOrDefault(key, 0L));
    }

    @Override
    public boolean resetSpend(KeyId id, String periodKey) {
        SpendKey key = new SpendKey(id, periodKey);
        return locked(() -> spend.remove(key) != null);
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            InMemoryDatabase.requireOpen(closed);
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private record SpendKey(KeyId id, String periodKey) {
        SpendKey {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(periodKey, "periodKey");
            if (periodKey.isBlank()) {
                throw new IllegalArgumentException("periodKey is blank");
            }
        }
    }
}
