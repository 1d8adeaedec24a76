package dev.smartflow.dashboard;

import dev.smartflow.core.spi.UserStore.Role;
import java.time.Instant;
import java.util.Objects;

/**
 * A verified login: who, in which role, the CSRF token bound to it, whether the user must set a password first, and
 * when it expires.
 */
record Session(String user, Role role, String csrf, boolean mustChange, Instant expiresAt, String id) {
    Session {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(csrf, "csrf");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(id, "id");
    }

    @Override
    public String toString() {
        return "Session[" + user + ", " + role.id() + "]";
    }
}
