package dev.smartflow.core.memory;

import dev.smartflow.core.routing.FallbackChain;
import dev.smartflow.core.spi.ChainStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** The {@link ChainStore} of an {@link InMemoryDatabase}. */
final class InMemoryChainStore implements ChainStore {
    private final AtomicBoolean closed;
    private final ConcurrentSkipListMap<String, FallbackChain> chains = new ConcurrentSkipListMap<>();

    InMemoryChainStore(AtomicBoolean closed) {
        this.closed = closed;
    }

    @Override
    public boolean put(FallbackChain chain) {
        Objects.requireNonNull(chain, "chain");
        InMemoryDatabase.requireOpen(closed);
        return chains.put(chain.name(), chain) == null;
    }

    @Override
    public Optional<FallbackChain> get(String name) {
        Objects.requireNonNull(name, "name");
        InMemoryDatabase.requireOpen(closed);
        return Optional.ofNullable(chains.get(name));
    }

    @Override
    public List<FallbackChain> list() {
        InMemoryDatabase.requireOpen(closed);
        return List.copyOf(chains.values());
    }

    @Override
    public boolean delete(String name) {
        Objects.requireNonNull(name, "name");
        InMemoryDatabase.requireOpen(closed);
        return chains.remove(name) != null;
    }
}
