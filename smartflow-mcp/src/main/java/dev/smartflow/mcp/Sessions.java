package dev.smartflow.mcp;

import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.spi.SharedState;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client sessions of the legacy revisions ({@code Mcp-Session-Id}), kept in the shared state so that a client whose
 * next request lands on another instance keeps its session there. A session belongs to the caller that opened it (its
 * key) and to the endpoint it was opened on: anyone else presenting its id is told it does not exist.
 *
 * <p>Keys: {@code <prefix>session:<id>}, a hash expiring after {@code mcp.session_ttl_seconds} of disuse (refreshed at
 * most once a minute per instance). Ids are 256 random bits, Base64url: visible ASCII, unguessable.
 *
 * <p>Thread-safe.
 */
final class Sessions {
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    /**
     * @param caller   the principal that opened it ({@code kind:id})
     * @param endpoint the server id of the endpoint it was opened on, or {@code *} for the aggregate endpoint
     */
    record Session(String id, String caller, String endpoint, ProtocolVersion version) {
        Session {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(caller, "caller");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(version, "version");
        }
    }

    private final SharedState state;
    private final String prefix;
    private final Duration ttl;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Long> touched = new ConcurrentHashMap<>();

    Sessions(SharedState state, String prefix, Duration ttl, InstantSource clock) {
        this.state = Objects.requireNonNull(state, "state");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    static String caller(Principal principal) {
        return principal.kind().name().toLowerCase(Locale.ROOT) + ":" + principal.id();
    }

    Session open(Principal principal, String endpoint, ProtocolVersion version) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Session session = new Session(id, caller(principal), endpoint, version);
        String key = key(id);
        state.hashPut(key, "caller", session.caller());
        state.hashPut(key, "endpoint", endpoint);
        state.hashPut(key, "version", version.id());
        state.expire(key, ttl);
        touched.put(id, clock.millis());
        return session;
    }

    /** The session {@code id} when it exists, belongs to {@code principal} and was opened on {@code endpoint}. */
    Optional<Session> find(String id, Principal principal, String endpoint) {
        if (id.isEmpty() || id.length() > 128) {
            return Optional.empty();
        }
        Map<String, String> fields = state.hashGetAll(key(id));
        Optional<ProtocolVersion> version = ProtocolVersion.parse(fields.getOrDefault("version", ""));
        if (version.isEmpty() || !caller(principal).equals(fields.get("caller"))
                || !endpoint.equals(fields.get("endpoint"))) {
            return Optional.empty();
        }
        Session session = new Session(id, fields.get("caller"), endpoint, version.get());
        long now = clock.millis();
        Long last = touched.get(id);
        if (last == null || now - last >= TOUCH_EVERY.toMillis()) {
            touched.put(id, now);
            state.expire(key(id), ttl);
        }
        return Optional.of(session);
    }

    /** Records that the session subscribed to {@code uri} (the server's own URI) of server {@code serverId}. */
    void subscribe(Session session, String serverId, String uri) {
        state.hashPut(key(session.id()), subscription(serverId, uri), "1");
    }

    /** Drops a subscription; true when there was one. */
    boolean unsubscribe(Session session, String serverId, String uri) {
        return state.hashRemove(key(session.id()), subscription(serverId, uri));
    }

    /**
     * The endpoint of session {@code id} when it lives and subscribed to {@code uri} of {@code serverId}; any instance
     * may ask (the upstream's notification may arrive anywhere).
     */
    Optional<String> subscribedEndpoint(String id, String serverId, String uri) {
        Map<String, String> fields = state.hashGetAll(key(id));
        return fields.containsKey(subscription(serverId, uri)) ? Optional.ofNullable(fields.get("endpoint"))
                : Optional.empty();
    }

    private static String subscription(String serverId, String uri) {
        return "sub:" + serverId + " " + uri;
    }

    /** Ends a session; true when it existed. */
    boolean end(Session session) {
        touched.remove(session.id());
        return state.delete(key(session.id()));
    }

    private String key(String id) {
        return prefix + "session:" + id;
    }
}
