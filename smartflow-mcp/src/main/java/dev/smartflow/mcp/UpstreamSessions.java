package dev.smartflow.mcp;

import dev.smartflow.core.spi.SharedState;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which upstream session belongs to which owner: for a legacy upstream, the {@code Mcp-Session-Id} it assigned when
 * the gateway initialized a session for that owner, and the revision agreed. Kept in the shared state, so an owner's
 * next request finds its upstream session on any instance; an owner is one client session (or one caller of the
 * stateless revision), never several, so no client's upstream state is seen by another.
 *
 * <p>Keys: {@code <prefix>up:<server>:<owner>}, expiring with the client session's idle time.
 */
final class UpstreamSessions {
    /** An upstream session: its id (empty when the upstream assigned none) and the revision agreed on it. */
    record Session(String id, ProtocolVersion version) {
        Session {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(version, "version");
        }

        String encode() {
            return version.id() + "|" + id;
        }

        static Optional<Session> decode(String text) {
            int bar = text.indexOf('|');
            if (bar < 0) {
                return Optional.empty();
            }
            return ProtocolVersion.parse(text.substring(0, bar)).map(v -> new Session(text.substring(bar + 1), v));
        }
    }

    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
    private static final int MAX_TOUCHED = 100_000;

    private final SharedState state;
    private final String prefix;
    private final Duration ttl;
    private final Map<String, Long> touched = new ConcurrentHashMap<>();

    UpstreamSessions(SharedState state, String prefix, Duration ttl) {
        this.state = Objects.requireNonNull(state, "state");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
    }

    Optional<Session> get(String server, String owner) {
        return state.get(key(server, owner)).flatMap(Session::decode);
    }

    /** Stores {@code session} unless the owner has one already (made by another instance meanwhile); the one kept. */
    Session putIfAbsent(String server, String owner, Session session) {
        String key = key(server, owner);
        if (state.setIfAbsent(key, session.encode(), ttl)) {
            return session;
        }
        return state.get(key).flatMap(Session::decode).orElse(session);
    }

    /** Forgets the owner's upstream session (it ended, or the upstream forgot it). */
    void forget(String server, String owner) {
        touched.remove(key(server, owner));
        state.delete(key(server, owner));
    }

    /** Keeps the owner's session from expiring while it is in use (at most once a minute per instance). */
    void touch(String server, String owner) {
        String key = key(server, owner);
        long now = System.nanoTime();
        Long last = touched.get(key);
        if (last == null || now - last >= TOUCH_EVERY.toNanos()) {
            touched.put(key, now);
            if (touched.size() > MAX_TOUCHED) {
                touched.clear();
            }
            state.expire(key, ttl);
        }
    }

    private String key(String server, String owner) {
        return prefix + "up:" + server + ":" + owner;
    }
}
