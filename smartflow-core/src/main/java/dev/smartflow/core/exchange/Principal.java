package dev.smartflow.core.exchange;

import java.util.Objects;

/**
 * Who is calling. Every exchange starts {@link #ANONYMOUS}; the authenticate stage replaces it once, and no later stage
 * may change it (the pipeline enforces this).
 *
 * @param kind how the caller proved who it is
 * @param id   a stable, non-secret identifier: {@code master}, an embedding application's name, or a key id; never a
 *             token
 */
public record Principal(Kind kind, String id) {
    public static final Principal ANONYMOUS = new Principal(Kind.ANONYMOUS, "anonymous");
    public static final Principal MASTER = new Principal(Kind.MASTER, "master");

    public enum Kind {
        /** Not authenticated (yet). */
        ANONYMOUS,
        /** Holds the master key. */
        MASTER,
        /** The application that embeds Smartflow in-process and calls it directly. */
        EMBEDDED
    }

    public Principal {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
    }

    public static Principal embedded(String application) {
        return new Principal(Kind.EMBEDDED, application);
    }

    public boolean authenticated() {
        return kind != Kind.ANONYMOUS;
    }
}
