package dev.smartflow.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.spi.McpStore;
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
 * The registered upstream servers, as every instance sees them: stored in the database ({@link McpStore}) with their
 * secrets sealed, and read through a {@link LiveSnapshot}, so a registration, change or removal on one instance
 * reaches the others at once (pub/sub) or within a second (version check). Listeners hear of every change, to refresh
 * catalogs and drop connections to servers that changed.
 *
 * <p>Thread-safe.
 */
final class Registry implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Registry.class.getName());

    /** A server as the gateway uses it: its definition and its opened secrets. */
    record Entry(ServerDefinition definition, ServerSecrets secrets) {
        String id() {
            return definition.id();
        }
    }

    private final McpStore store;
    private final SecretBox box;
    private final InstantSource clock;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final LiveSnapshot<Map<String, Entry>> snapshot;

    Registry(McpStore store, SecretBox box, SharedState state, String statePrefix, InstantSource clock,
             Executor reloads) {
        this.store = Objects.requireNonNull(store, "store");
        this.box = Objects.requireNonNull(box, "box");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.snapshot = new LiveSnapshot<>(statePrefix, "servers", this::load, state, clock, reloads,
                () -> listeners.forEach(Runnable::run));
    }

    /** Runs {@code listener} after every change of the servers (on a background thread). */
    void onChange(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    Optional<Entry> get(String id) {
        return Optional.ofNullable(snapshot.get().get(id));
    }

    /** Every server, by id. */
    Collection<Entry> all() {
        return snapshot.get().values();
    }

    /** What is stored under {@code id} now, read from the database (not the snapshot), for a replacement. */
    Optional<ServerDefinition.Previous> previous(String id) {
        return store.server(id).flatMap(this::open)
                .map(entry -> ServerDefinition.Previous.of(entry.definition(), entry.secrets()));
    }

    /** Stores the server and tells every instance; true when it is new. */
    boolean put(ServerDefinition.Parsed parsed) {
        ServerDefinition definition = parsed.definition();
        boolean created = store.putServer(new McpStore.Server(definition.id(),
                definition.toJson(parsed.secrets()).toString(), parsed.secrets().seal(box), clock.instant()));
        snapshot.changed();
        return created;
    }

    /** Removes the server (its grants and users' tokens with it) and tells every instance; true if it existed. */
    boolean delete(String id) {
        boolean deleted = store.deleteServer(id);
        if (deleted) {
            snapshot.changed();
        }
        return deleted;
    }

    private Map<String, Entry> load() {
        Map<String, Entry> servers = new TreeMap<>();
        for (McpStore.Server stored : store.servers()) {
            open(stored).ifPresent(entry -> servers.put(entry.id(), entry));
        }
        return Collections.unmodifiableMap(servers);
    }

    private Optional<Entry> open(McpStore.Server stored) {
        try {
            ServerSecrets secrets = ServerSecrets.open(box, stored.secrets());
            ServerDefinition definition = ServerDefinition.fromStored(Body.MAPPER.readTree(stored.definition()),
                    secrets);
            return Optional.of(new Entry(definition, secrets));
        } catch (JsonProcessingException | RuntimeException e) {
            // never the definition's text or the secrets: the id and what went wrong
            LOG.log(System.Logger.Level.ERROR, "MCP server '" + stored.id() + "' cannot be used: "
                    + (e instanceof IllegalStateException ? e.getMessage() : e.getClass().getSimpleName()));
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        snapshot.close();
    }
}
