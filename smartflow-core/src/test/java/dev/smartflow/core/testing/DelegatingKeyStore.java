package dev.smartflow.core.testing;

import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.VirtualKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A real store behind a seam: tests override the calls they count or break and leave the rest to the store. */
public class DelegatingKeyStore implements KeyStore {
    private final KeyStore delegate;

    public DelegatingKeyStore(KeyStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public void create(VirtualKey key) {
        delegate.create(key);
    }

    @Override
    public Optional<VirtualKey> findById(KeyId id) {
        return delegate.findById(id);
    }

    @Override
    public Optional<VirtualKey> findByTokenHash(String tokenHash) {
        return delegate.findByTokenHash(tokenHash);
    }

    @Override
    public List<VirtualKey> list() {
        return delegate.list();
    }

    @Override
    public List<VirtualKey> listByOwner(String ownerId) {
        return delegate.listByOwner(ownerId);
    }

    @Override
    public boolean revoke(KeyId id) {
        return delegate.revoke(id);
    }

    @Override
    public boolean touch(KeyId id, Instant lastUsed) {
        return delegate.touch(id, lastUsed);
    }

    @Override
    public long addSpend(KeyId id, String periodKey, long micros) {
        return delegate.addSpend(id, periodKey, micros);
    }

    @Override
    public long spend(KeyId id, String periodKey) {
        return delegate.spend(id, periodKey);
    }

    @Override
    public boolean resetSpend(KeyId id, String periodKey) {
        return delegate.resetSpend(id, periodKey);
    }
}
