package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * Every registered server's tools, as this instance last read them from the server: read when a server is registered
 * or changed, when it says its tools changed ({@code notifications/tools/list_changed}), every
 * {@code mcp.catalog_refresh_seconds}, and on first use. {@code tools/list} is answered from here, so listing never
 * waits on an upstream once the catalog is loaded, and a caller's list is the catalog filtered by what it may use.
 *
 * <p><b>Valid schemas.</b> A tool passes on only with a name of 1 to 128 visible characters and an {@code inputSchema}
 * that is a JSON Schema object describing an object (an absent or malformed one becomes {@code {"type":"object"}}; a
 * tool whose input is of another type is left out); an {@code outputSchema} that is not an object is dropped. Tools are kept in the
 * server's order, so lists are stable. A server of per-user OAuth is listed per user, not here.
 *
 * <p>Thread-safe. Listeners hear of every change of a server's tools (to tell clients and re-index the search).
 */
final class Catalog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Catalog.class.getName());
    private static final Pattern TOOL_NAME = Pattern.compile("[\\x21-\\x7E]{1,128}");
    private static final int MAX_PAGES = 100;
    private static final int MAX_TOOLS = 10_000;

    /**
     * What is known of one server's tools.
     *
     * @param facts the server's version, capabilities and identity, once met
     * @param error why the last read failed, if it did
     */
    record Listing(List<ObjectNode> tools, Optional<ServerFacts> facts, Optional<Instant> readAt,
                   Optional<String> error) {
        static final Listing EMPTY = new Listing(List.of(), Optional.empty(), Optional.empty(), Optional.empty());

        Listing {
            tools = List.copyOf(tools);
        }
    }

    private final Registry registry;
    private final Upstreams upstreams;
    private final InstantSource clock;
    private final Duration timeout;
    private final Executor background;
    private final String owner = "catalog-" + UUID.randomUUID();
    private final Map<String, Listing> listings = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> reading = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    Catalog(Registry registry, Upstreams upstreams, InstantSource clock, Duration timeout, Executor background,
            ScheduledExecutorService scheduler, Duration refreshEvery) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.background = Objects.requireNonNull(background, "background");
        scheduler.scheduleWithFixedDelay(() -> background.execute(this::refreshAll), refreshEvery.toMillis(),
                refreshEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code listener} after any server's tools changed. */
    void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** The server's tools, read now if they never were. */
    Listing listing(Registry.Entry entry) {
        Listing listing = listings.get(entry.id());
        if (listing != null && listing.readAt().isPresent()) {
            return listing;
        }
        if (entry.definition().auth().type() == ServerDefinition.AuthType.OAUTH_USER) {
            return listing == null ? Listing.EMPTY : listing;
        }
        return refresh(entry);
    }

    /** What {@link #listing} has without reading anything; for status answers. */
    Listing known(String serverId) {
        return listings.getOrDefault(serverId, Listing.EMPTY);
    }

    /** Reads the server's tools again, behind the caller. */
    void refreshLater(String serverId) {
        background.execute(() -> registry.get(serverId).ifPresent(this::refresh));
    }

    /** After a registry change: forgets servers that are gone, reads the changed and new ones. */
    void registryChanged() {
        Set<String> ids = new HashSet<>();
        for (Registry.Entry entry : registry.all()) {
            ids.add(entry.id());
            refreshLater(entry.id());
        }
        if (listings.keySet().retainAll(ids)) {
            notifyListeners();
        }
    }

    private void refreshAll() {
        registry.all().forEach(entry -> {
            if (entry.definition().auth().type() != ServerDefinition.AuthType.OAUTH_USER) {
                refresh(entry);
            }
        });
    }

    /** Reads one server's tools now (one read at a time per server); what is known afterwards. */
    Listing refresh(Registry.Entry entry) {
        ReentrantLock lock = reading.computeIfAbsent(entry.id(), id -> new ReentrantLock());
        lock.lock();
        try {
            Listing before = listings.getOrDefault(entry.id(), Listing.EMPTY);
            Listing after;
            try {
                after = read(entry, UpstreamCall.own(owner, "tools/list", JsonRpc.NODES.objectNode(), timeout));
            } catch (RpcError e) {
                LOG.log(System.Logger.Level.WARNING, "reading the tools of MCP server '" + entry.id() + "' failed: "
                        + e.getMessage());
                after = new Listing(before.tools(), before.facts(), before.readAt(), Optional.of(e.getMessage()));
            }
            if (registry.get(entry.id()).isEmpty()) {
                listings.remove(entry.id());
                return after;
            }
            listings.put(entry.id(), after);
            if (!after.tools().equals(before.tools())) {
                notifyListeners();
            }
            return after;
        } finally {
            lock.unlock();
        }
    }

    /** Reads a server's tools for {@code call}'s owner (a user of per-user OAuth, or the catalog itself). */
    Listing read(Registry.Entry entry, UpstreamCall call) {
        Upstream upstream = upstreams.of(entry);
        ServerFacts facts = upstream.facts(call);
        List<ObjectNode> tools = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Optional<String> cursor = Optional.empty();
        for (int page = 0; page < MAX_PAGES; page++) {
            ObjectNode params = JsonRpc.NODES.objectNode();
            cursor.ifPresent(c -> params.put("cursor", c));
            ObjectNode answer = upstream.request(call.withMethod("tools/list", params));
            JsonNode result = answer.path("result");
            if (!result.isObject()) {
                throw RpcError.of(RpcError.UPSTREAM_FAILED, "MCP server '" + entry.id() + "' refused tools/list: "
                        + answer.path("error").path("message").asText("no result"));
            }
            for (JsonNode tool : result.path("tools")) {
                valid(tool, entry.id()).filter(t -> names.add(t.path("name").asText()))
                        .filter(t -> tools.size() < MAX_TOOLS).ifPresent(tools::add);
            }
            JsonNode next = result.path("nextCursor");
            if (!next.isTextual() || next.textValue().isEmpty()) {
                break;
            }
            cursor = Optional.of(next.textValue());
        }
        return new Listing(tools, Optional.of(facts), Optional.of(clock.instant()), Optional.empty());
    }

    /** The tool as clients may be given it, or empty (logged) when it cannot be made valid. */
    static Optional<ObjectNode> valid(JsonNode tool, String serverId) {
        if (!(tool instanceof ObjectNode object) || !object.path("name").isTextual()
                || !TOOL_NAME.matcher(object.path("name").textValue()).matches()) {
            LOG.log(System.Logger.Level.WARNING, "MCP server '" + serverId + "' listed a tool without a usable name;"
                    + " it is left out");
            return Optional.empty();
        }
        ObjectNode copy = object.deepCopy();
        JsonNode input = copy.get("inputSchema");
        if (!(input instanceof ObjectNode schema)) {
            copy.putObject("inputSchema").put("type", "object");
        } else if (!schema.has("type")) {
            schema.put("type", "object");
        } else if (!schema.path("type").asText().equals("object")) {
            LOG.log(System.Logger.Level.WARNING, "MCP server '" + serverId + "' listed a tool whose input is not an"
                    + " object; it is left out");
            return Optional.empty();
        }
        JsonNode output = copy.get("outputSchema");
        if (output != null && !output.isObject()) {
            copy.remove("outputSchema");
        }
        if (copy.has("description") && !copy.get("description").isTextual()) {
            copy.remove("description");
        }
        return Optional.of(copy);
    }

    private void notifyListeners() {
        listeners.forEach(listener -> {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a catalog listener failed", e);
            }
        });
    }

    @Override
    public void close() {
        listings.clear();
    }
}
