package dev.smartflow.core.exchange;

import dev.smartflow.core.spi.VirtualKey;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is calling. Every exchange starts {@link #ANONYMOUS}; the authenticate stage replaces it once, and no later stage
 * may change it (the pipeline enforces this).
 *
 * <pre>{@code
 * Principal caller = exchange.principal();
 * if (!caller.allowsProvider("openai")) {
 *     throw new PermissionDenied("this key may not call openai", "provider_not_allowed");
 * }
 * caller.key().ifPresent(key -> budgets.charge(key.id(), costMicros));
 * }</pre>
 *
 * <p>{@link #toString()} names the kind and id only: a key's limits and owner stay out of logs, and the token is
 * never here at all.
 *
 * @param kind how the caller proved who it is
 * @param id   a stable, non-secret identifier: {@code master}, an embedding application's name, or a key id; never a
 *             token
 * @param key  the virtual key the caller presented, with its owner, allowed providers and limits; present exactly when
 *             {@code kind} is {@link Kind#VIRTUAL_KEY}
 */
public record Principal(Kind kind, String id, Optional<VirtualKey> key) {
    public static final Principal ANONYMOUS = new Principal(Kind.ANONYMOUS, "anonymous");
    public static final Principal MASTER = new Principal(Kind.MASTER, "master");

    public enum Kind {
        /** Not authenticated (yet). */
        ANONYMOUS,
        /** Holds the master key. */
        MASTER,
        /** The application that embeds Smartflow in-process and calls it directly. */
        EMBEDDED,
        /** Holds a virtual key. */
        VIRTUAL_KEY
    }

    public Principal {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
        if (key.isPresent() != (kind == Kind.VIRTUAL_KEY)) {
            throw new IllegalArgumentException("only a VIRTUAL_KEY principal carries a key");
        }
        if (key.isPresent() && !key.get().id().value().equals(id)) {
            throw new IllegalArgumentException("a virtual-key principal's id is its key's id");
        }
    }

    /** A principal without a virtual key. */
    public Principal(Kind kind, String id) {
        this(kind, id, Optional.empty());
    }

    public static Principal embedded(String application) {
        return new Principal(Kind.EMBEDDED, application);
    }

    /** The holder of {@code key}; its id is the key's id. */
    public static Principal of(VirtualKey key) {
        return new Principal(Kind.VIRTUAL_KEY, key.id().value(), Optional.of(key));
    }

    public boolean authenticated() {
        return kind != Kind.ANONYMOUS;
    }

    /**
     * Whether this caller may use {@code provider}: always for principals without a key, and for a key when its
     * allowed providers are empty (every provider) or name it.
     */
    public boolean allowsProvider(String provider) {
        return key.map(k -> k.allowedProviders().isEmpty() || k.allowedProviders().contains(provider)).orElse(true);
    }

    /** The tag of a virtual key that names its organisation: the tenant its data belongs to. */
    public static final String ORG_TAG = "org";

    /**
     * Whose data this caller sees and writes (cache entries, vector stores, baselines, usage): a virtual key's
     * organisation ({@value #ORG_TAG} tag) when it has one, else the key itself; other principals are their own tenant
     * ({@code master}, an embedding application). Kinds are prefixed so a key id can never equal an org name.
     */
    public String tenant() {
        return switch (kind) {
            case VIRTUAL_KEY -> key.flatMap(k -> Optional.ofNullable(k.tags().get(ORG_TAG)))
                    .filter(org -> !org.isBlank()).map(org -> "org:" + org).orElse("key:" + id);
            case MASTER -> "master";
            case EMBEDDED -> "app:" + id;
            case ANONYMOUS -> "anonymous";
        };
    }

    @Override
    public String toString() {
        return "Principal[kind=" + kind + ", id=" + id + "]";
    }
}
