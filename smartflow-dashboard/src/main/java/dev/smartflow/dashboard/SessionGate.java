package dev.smartflow.dashboard;

import dev.smartflow.core.error.PermissionDenied;
import dev.smartflow.core.error.Unauthorized;
import dev.smartflow.core.spi.UserStore.Role;
import dev.smartflow.server.http.AdminAccess;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;

/**
 * The dashboard's way in to the admin APIs: a request without a key but with a {@code smartflow_token} cookie is
 * admitted when the token is valid, its user is an admin or a viewer, the user has set a password, and (for anything
 * but a read) the user is an admin and the request carries the session's CSRF token in {@value #CSRF_HEADER}.
 */
final class SessionGate implements AdminAccess.Session {
    static final String COOKIE = "smartflow_token";
    static final String CSRF_COOKIE = "smartflow_csrf";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final Sessions sessions;

    SessionGate(Sessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public boolean admit(Context ctx) {
        Optional<String> cookie = Optional.ofNullable(ctx.cookie(COOKIE)).filter(c -> !c.isBlank());
        if (cookie.isEmpty()) {
            return false;
        }
        Session session = sessions.verify(cookie.get()).orElseThrow(() -> new Unauthorized(
                "the session has expired or is not valid: log in again"));
        check(session, ctx);
        return true;
    }

    /** Refuses what {@code session} may not do with this request (see the class comment). */
    static void check(Session session, Context ctx) {
        if (session.role() == Role.CHAT) {
            throw new PermissionDenied("a chat user cannot use the admin APIs", "insufficient_role");
        }
        if (session.mustChange()) {
            throw new PermissionDenied("set a new password first (POST /auth/password)", "password_change_required");
        }
        if (!READS.contains(ctx.method().name())) {
            requireCsrf(session, ctx);
            if (session.role() != Role.ADMIN) {
                throw new PermissionDenied("a viewer can read but not change anything", "read_only");
            }
        }
    }

    /** Refuses a change that does not carry the session's CSRF token. */
    static void requireCsrf(Session session, Context ctx) {
        String presented = ctx.header(CSRF_HEADER);
        if (presented == null || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                session.csrf().getBytes(StandardCharsets.UTF_8))) {
            throw new PermissionDenied("a change made with the session cookie needs its CSRF token in the "
                    + CSRF_HEADER + " header", "csrf_failed");
        }
    }
}
