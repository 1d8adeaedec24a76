package dev.smartflow.core.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The agents the A2A gateway forwards to. The store knows nothing of A2A: an agent's definition is the JSON its
 * registry API takes (name, URL, who may call it, price), and its credentials are sealed (encrypted) by the gateway
 * before they get here, so the store holds them as opaque text.
 *
 * <pre>{@code
 * A2aAgentStore agents = database.a2aAgents();
 * agents.create(new A2aAgentStore.Agent("summarizer", definitionJson, sealedSecrets, clock.instant()));
 * }</pre>
 *
 * <p><b>Contract.</b> Thread-safe; every call is atomic. Records read back equal the records stored, times kept to
 * the microsecond. Agents are listed by id (Java string order). After the database is closed every call fails with
 * {@link IllegalStateException}.
 */
public interface A2aAgentStore {
    /** Stores {@code agent} only if no agent has its id; false (and nothing changes) when one has. */
    boolean create(Agent agent);

    /** Stores {@code agent}, replacing the agent of the same id; true when no agent had that id. */
    boolean put(Agent agent);

    Optional<Agent> agent(String id);

    /** Every agent, by id. */
    List<Agent> agents();

    /** Removes the agent; true if it was there. */
    boolean delete(String id);

    /**
     * One registered agent.
     *
     * @param definition the registry's JSON of the agent, without its credentials
     * @param secrets    the agent's credentials, sealed by the gateway (opaque here)
     */
    record Agent(String id, String definition, String secrets, Instant updatedAt) {
        public Agent {
            Objects.requireNonNull(id, "id");
            if (id.isBlank()) {
                throw new IllegalArgumentException("id is blank");
            }
            Objects.requireNonNull(definition, "definition");
            Objects.requireNonNull(secrets, "secrets");
            updatedAt = Objects.requireNonNull(updatedAt, "updatedAt").truncatedTo(ChronoUnit.MICROS);
        }

        /** Names the agent only: its credentials never reach a log. */
        @Override
        public String toString() {
            return "Agent[" + id + "]";
        }
    }
}
