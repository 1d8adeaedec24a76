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

/**
 * The {@link KeyStore} of an {@link InMemoryDatabase}. Thread-safe: one lock guards the keys, the token-hash index
 * and the spend totals, so every operation is atomic (ReentrantLock, not synchronized: callers run on virtual
 * threads).
 */
public final class InMemoryKeyStore implements KeyStore {
    private static final Comparator<VirtualKey> CREATION_ORDER =
            Comparator.comparing(VirtualKey::createdAt).thenComparing(key -> key.id().value());

    private final Guard guard;
    private final Map<KeyId, VirtualKey> keys = new HashMap<>();
    private final Map<String, KeyId> byTokenHash = new HashMap<>();
    private final Map<SpendKey, Long> spend = new HashMap<>();

    InMemoryKeyStore(AtomicBoolean closed) {
        this.guard = new Guard(closed);
    }

    @Override
    public void create(VirtualKey key) {
        Objects.requireNonNull(key, "key");
        guard.locked(() -> {
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
        return guard.locked(() -> Optional.ofNullable(keys.get(id)));
    }

    @Override
    public Optional<VirtualKey> findByTokenHash(String tokenHash) {
        Objects.requireNonNull(tokenHash, "tokenHash");
        return guard.locked(() -> Optional.ofNullable(byTokenHash.get(tokenHash)).map(keys::get));
    }

    @Override
    public List<VirtualKey> list() {
        return guard.locked(() -> keys.values().stream().sorted(CREATION_ORDER).toList());
    }

    @Override
    public List<VirtualKey> listByOwner(String ownerId) {
        Objects.requireNonNull(ownerId, "ownerId");
        return guard.locked(() -> keys.values().stream()
                .filter(key -> key.ownerId().equals(ownerId))
                .sorted(CREATION_ORDER)
                .toList());
    }

    @Override
    public boolean revoke(KeyId id) {
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> keys.computeIfPresent(id, (k, key) -> key.revoked()) != null);
    }

    @Override
    public boolean touch(KeyId id, Instant lastUsed) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lastUsed, "lastUsed");
        return guard.locked(() -> keys.computeIfPresent(id, (k, key) -> key.withLastUsed(lastUsed)) != null);
    }

    @Override
    public long addSpend(KeyId id, String periodKey, long micros) {
        SpendKey key = new SpendKey(id, periodKey);
        if (micros < 0) {
            throw new IllegalArgumentException("micros is negative: " + micros);
        }
        return guard.locked(() -> spend.merge(key, micros, Math::addExact));
    }

    @Override
    public long spend(KeyId id, String periodKey) {
        SpendKey key = new SpendKey(id, periodKey);
        return guard.locked(() -> spend.getOrDefault(key, 0L));
    }

    @Override
    public boolean resetSpend(KeyId id, String periodKey) {
        SpendKey key = new SpendKey(id, periodKey);
        return guard.locked(() -> spend.remove(key) != null);
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
