package dev.smartflow.core.memory;

import dev.smartflow.core.spi.A2aAgentStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/** The {@link A2aAgentStore} of an {@link InMemoryDatabase}: one lock over one sorted map. */
final class InMemoryA2aAgentStore implements A2aAgentStore {
    private final AtomicBoolean closed;
    private final ReentrantLock lock = new ReentrantLock();
    private final TreeMap<String, Agent> agents = new TreeMap<>();

    InMemoryA2aAgentStore(AtomicBoolean closed) {
        this.closed = closed;
    }

    @Override
    public boolean create(Agent agent) {
        Objects.requireNonNull(agent, "agent");
        return locked(() -> agents.putIfAbsent(agent.id(), agent) == null);
    }

    @Override
    public boolean put(Agent agent) {
        Objects.requireNonNull(agent, "agent");
        return locked(() -> agents.put(agent.id(), agent) == null);
    }

    @Override
    public Optional<Agent> agent(String id) {
        Objects.requireNonNull(id, "id");
        return locked(() -> Optional.ofNullable(agents.get(id)));
    }

    @Override
    public List<Agent> agents() {
        return locked(() -> List.copyOf(agents.values()));
    }

    @Override
    public boolean delete(String id) {
        Objects.requireNonNull(id, "id");
        return locked(() -> agents.remove(id) != null);
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            if (closed.get()) {
                throw new IllegalStateException("the database is closed");
            }
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
