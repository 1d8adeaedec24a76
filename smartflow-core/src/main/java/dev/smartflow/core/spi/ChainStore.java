package dev.smartflow.core.spi;

import dev.smartflow.core.routing.FallbackChain;
import java.util.List;
import java.util.Optional;

/**
 * The durable fallback chains, by name. Chains are few and change rarely; the route stage reads them through a cache
 * that a change reaches within a second ({@code dev.smartflow.core.routing.Chains}), never on the hot path.
 *
 * <p><b>Contract.</b> Thread-safe; every call is atomic. A chain read back equals the chain stored. After the
 * database is closed every call fails with {@link IllegalStateException}.
 */
public interface ChainStore {
    /** Stores {@code chain}, replacing the chain of the same name; true when no chain had that name. */
    boolean put(FallbackChain chain);

    Optional<FallbackChain> get(String name);

    /** Every chain, by name. */
    List<FallbackChain> list();

    /** Removes the chain named {@code name}; true when there was one. */
    boolean delete(String name);
}
