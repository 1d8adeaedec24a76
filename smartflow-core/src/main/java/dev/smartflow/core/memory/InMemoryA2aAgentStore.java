package dev.smartflow.core.memory;

import dev.smartflow.core.spi.A2aAgentStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** The {@link A2aAgentStore} of an {@link InMemoryDatabase}: one lock over one sorted map. */
final class InMemoryA2aAgentStore implements A2aAgentStore {
    private final Guard guard;
    private final TreeMap<String, Agent> agents = new TreeMap<>();

    InMemoryA2aAgentStore(AtomicBoolean closed) {
        this.guard = new Guard(closed);
    }

    @Override
    public boolean create(Agent agent) {
        Objects.requireNonNull(agent, "agent");
        return guard.locked(() -> agents.putIfAbsent(agent.id(), agent) == null);
    }

    @Override
    public boolean put(Agent agent) {
        Objects.requireNonNull(agent, "agent");
        return guard.locked(() -> agents.put(agent.id(), agent) == null);
    }

    @Override
    public Optional<Agent> agent(String id) {
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> Optional.ofNullable(agents.get(id)));
    }

    @Override
    public List<Agent> agents() {
        return guard.locked(() -> List.copyOf(agents.values()));
    }

    @Override
    public boolean delete(String id) {
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> agents.remove(id) != null);
    }
}
