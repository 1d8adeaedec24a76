package dev.smartflow.a2a;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.spi.A2aAgentStore;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.server.module.LiveSnapshot;
import dev.smartflow.server.module.SecretBox;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * The registered agents as every instance sees them: stored in the database ({@link A2aAgentStore}) with their
 * credentials sealed, and read through a {@link LiveSnapshot}, so a registration, change or removal on one instance
 * reaches the others at once (pub/sub) or within a second (version check).
 *
 * <p>Thread-safe.
 */
final class Agents implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Agents.class.getName());
    private static final String NO_SECRET = "";

    /** An agent as the gateway uses it: its definition and its opened credential. */
    record Entry(AgentDefinition definition, Optional<String> secret) {
        String id() {
            return definition.id();
        }

        /** Names the agent only: the credential never reaches a log. */
        @Override
        public String toString() {
            return "Entry[" + definition.id() + "]";
        }
    }

    private final A2aAgentStore store;
    private final SecretBox box;
    private final InstantSource clock;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final LiveSnapshot<Map<String, Entry>> snapshot;

    Agents(A2aAgentStore store, SecretBox box, SharedState state, String statePrefix, InstantSource clock,
           Executor reloads) {
        this.store = Objects.requireNonNull(store, "store");
        this.box = Objects.requireNonNull(box, "box");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.snapshot = new LiveSnapshot<>(statePrefix, "agents", this::load, state, clock, reloads,
                () -> listeners.forEach(Runnable::run));
    }

    /** Runs {@code listener} after every change of the agents (on a background thread). */
    void onChange(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    Optional<Entry> get(String id) {
        return Optional.ofNullable(snapshot.get().get(id));
    }

    Collection<Entry> all() {
        return snapshot.get().values();
    }

    /** What is stored under {@code id} now, read from the database (not the snapshot), for a replacement. */
    Optional<AgentDefinition.Parsed> stored(String id) {
        return store.agent(id).flatMap(this::open)
                .map(entry -> new AgentDefinition.Parsed(entry.definition(), entry.secret()));
    }

    /** Registers a new agent; false when the id is taken (nothing changes then). */
    boolean create(AgentDefinition.Parsed parsed) {
        boolean created = store.create(stored(parsed));
        if (created) {
            snapshot.changed();
        }
        return created;
    }

    /** Stores the agent, replacing any of its id, and tells every instance; true when it is new. */
    boolean put(AgentDefinition.Parsed parsed) {
        boolean created = store.put(stored(parsed));
        snapshot.changed();
        return created;
    }

    boolean delete(String id) {
        boolean deleted = store.delete(id);
        if (deleted) {
            snapshot.changed();
        }
        return deleted;
    }

    private A2aAgentStore.Agent stored(AgentDefinition.Parsed parsed) {
        AgentDefinition definition = parsed.definition();
        return new A2aAgentStore.Agent(definition.id(), definition.toJson().toString(),
                box.seal(parsed.secret().orElse(NO_SECRET)), clock.instant());
    }

    private Map<String, Entry> load() {
        Map<String, Entry> agents = new TreeMap<>();
        for (A2aAgentStore.Agent stored : store.agents()) {
            open(stored).ifPresent(entry -> agents.put(entry.id(), entry));
        }
        return Collections.unmodifiableMap(agents);
    }

    private Optional<Entry> open(A2aAgentStore.Agent stored) {
        try {
            Optional<String> secret = Optional.of(box.open(stored.secrets())).filter(s -> !s.isEmpty());
            AgentDefinition definition = AgentDefinition.fromStored(Body.MAPPER.readTree(stored.definition()),
                    secret);
            return Optional.of(new Entry(definition, secret));
        } catch (JsonProcessingException | RuntimeException e) {
            // the id and what went wrong; never the definition's text or the credential
            LOG.log(System.Logger.Level.ERROR, "A2A agent '" + stored.id() + "' cannot be used: "
                    + (e instanceof IllegalStateException ? e.getMessage() : e.getClass().getSimpleName()));
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        snapshot.close();
    }
}
