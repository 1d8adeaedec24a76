package dev.smartflow.server.http;

import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.keys.Authenticator;
import io.javalin.http.Context;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Who may call the admin APIs: the master key (the wrapped {@link Authenticator}), and the browser sessions that
 * modules add ({@code ModuleContext.adminSession}), asked by {@link Services#requireKey} only when a request presents
 * no key. Thread-safe.
 */
public final class AdminAccess implements Authenticator {
    private final Authenticator key;
    private final List<Session> sessions = new CopyOnWriteArrayList<>();

    public AdminAccess(Authenticator key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    @Override
    public Optional<Principal> authenticate(String token) {
        return key.authenticate(token);
    }

    /** Adds a way in for requests that present no key. */
    public void add(Session session) {
        sessions.add(Objects.requireNonNull(session, "session"));
    }

    /** Whether a session admits this keyless request; a session that refuses it throws. */
    public boolean admits(Context ctx) {
        for (Session session : sessions) {
            if (session.admit(ctx)) {
                return true;
            }
        }
        return false;
    }

    /** A browser session's way in to the admin APIs (a login cookie, say). */
    @FunctionalInterface
    public interface Session {
        /**
         * Decides a request that presents no key.
         *
         * @return true to admit it; false when it carries no session of this kind (the next way in is asked)
         * @throws dev.smartflow.core.error.SmartflowException (401, 403) when it carries one that must be refused:
         *         expired, tampered, missing its CSRF token, or of a role that may not make this call
         */
        boolean admit(Context ctx);
    }
}
