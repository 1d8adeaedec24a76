package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.spi.SharedState;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Routes an upstream's {@code notifications/resources/updated} to the clients subscribed to that resource.
 *
 * <p><b>Legacy clients</b> ({@code resources/subscribe} in a session): the subscription is a field of the session's
 * hash in the shared state ({@link Sessions#subscribe}), so every instance knows it. The upstream's notification
 * arrives on whichever instance holds the owner's upstream stream; that instance checks the subscription, maps the URI
 * to what the client named ({@code smartflow://server_id/...} on the aggregate endpoint) and publishes it on
 * {@code <prefix>resource-updated}; every instance hears it and hands it to the GET streams of that session it holds
 * ({@link ChangeFeed#tell}, tagged with the session id).
 *
 * <p><b>2026-07-28 clients</b> ({@code subscriptions/listen} with {@code resourceSubscriptions}): the subscription lives
 * as long as the listening request, on the instance that serves it, which is also where the upstream stream was
 * opened; it is kept here, in memory, and the notification goes to that stream only, tagged with its subscription id.
 *
 * <p>Thread-safe.
 */
final class Subscriptions implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Subscriptions.class.getName());
    private static final String SESSION_OWNER = "session:";

    /** One {@code subscriptions/listen} stream of this instance: its feed tag, owner, request id, resources. */
    record Listen(String tag, String owner, JsonNode requestId, Set<String> resources, boolean aggregate) {
    }

    private final Sessions sessions;
    private final SharedState state;
    private final ChangeFeed feed;
    private final String channel;
    private final SharedState.Subscription subscription;
    private final Map<String, Listen> listens = new ConcurrentHashMap<>();

    Subscriptions(Sessions sessions, SharedState state, String prefix, ChangeFeed feed) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.state = Objects.requireNonNull(state, "state");
        this.feed = Objects.requireNonNull(feed, "feed");
        this.channel = prefix + "resource-updated";
        this.subscription = state.subscribe(channel, this::deliverHere);
    }

    /** The key under which a resource is subscribed: {@code server_id} and the server's own URI. */
    static String resource(String serverId, String uri) {
        return serverId + " " + uri;
    }

    /** A listening stream starts. */
    void listen(Listen listen) {
        listens.put(listen.tag(), listen);
    }

    /** A listening stream ended. */
    void stopListening(String tag) {
        listens.remove(tag);
    }

    /** Whether any listening stream of {@code owner} on this instance still wants {@code serverId}'s updates. */
    boolean listening(String owner, String serverId) {
        String prefix = serverId + " ";
        return listens.values().stream().anyMatch(l -> l.owner().equals(owner)
                && l.resources().stream().anyMatch(r -> r.startsWith(prefix)));
    }

    /** Whether any listening stream of {@code owner} on this instance still wants {@code resource}. */
    boolean wanted(String owner, String resource) {
        return listens.values().stream().anyMatch(l -> l.owner().equals(owner) && l.resources().contains(resource));
    }

    /** A notification from server {@code serverId}'s upstream, in {@code owner}'s upstream session. */
    void updated(String serverId, String owner, ObjectNode notification) {
        JsonNode uri = notification.path("params").path("uri");
        if (!uri.isTextual()) {
            return;
        }
        try {
            if (owner.startsWith(SESSION_OWNER)) {
                String session = owner.substring(SESSION_OWNER.length());
                Optional<String> endpoint = sessions.subscribedEndpoint(session, serverId, uri.textValue());
                if (endpoint.isPresent()) {
                    ObjectNode message = JsonRpc.notification(HttpUpstream.RESOURCE_UPDATED,
                            shown(notification, serverId, endpoint.get().equals("*")));
                    ObjectNode envelope = JsonRpc.NODES.objectNode().put("session", session);
                    envelope.set("message", message);
                    state.publish(channel, envelope.toString());
                }
                return;
            }
            String key = resource(serverId, uri.textValue());
            for (Listen listen : listens.values()) {
                if (listen.owner().equals(owner) && listen.resources().contains(key)) {
                    ObjectNode params = shown(notification, serverId, listen.aggregate());
                    ObjectNode meta = params.get("_meta") instanceof ObjectNode object ? object
                            : params.putObject("_meta");
                    meta.set(McpEndpoint.META_SUBSCRIPTION, listen.requestId());
                    feed.tell(listen.tag(), JsonRpc.notification(HttpUpstream.RESOURCE_UPDATED, params));
                }
            }
        } catch (RuntimeException e) {
            // the shared state is down: this update is lost, the next one may pass
            LOG.log(System.Logger.Level.WARNING, "relaying a resource update of MCP server '" + serverId
                    + "' failed: " + e.getMessage());
        }
    }

    /** The notification's params as the client sees them: its URI as the client named the resource. */
    private static ObjectNode shown(ObjectNode notification, String serverId, boolean aggregate) {
        ObjectNode params = notification.path("params").deepCopy();
        if (aggregate) {
            params.put("uri", McpEndpoint.aggregateUri(serverId, params.path("uri").asText()));
        }
        return params;
    }

    private void deliverHere(String payload) {
        try {
            JsonNode envelope = Body.MAPPER.readTree(payload);
            if (envelope.path("session").isTextual() && envelope.get("message") instanceof ObjectNode message) {
                feed.tell(envelope.get("session").textValue(), message);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "a resource update that is not JSON: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
