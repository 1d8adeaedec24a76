package dev.smartflow.cache.metacache;

import java.util.Objects;

/**
 * Whose entries a request sees: a namespace and a tenant. The tenant is the caller's
 * ({@link dev.smartflow.core.exchange.Principal#tenant()}: its key's org, else the key), or {@value #SHARED} for a
 * namespace the configuration shares between tenants. Two requests can only ever share an entry when their scopes are
 * equal: the scope is part of every key and every vector namespace.
 */
record Scope(String namespace, String tenant) {
    static final String SHARED = "*";

    Scope {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(tenant, "tenant");
    }

    /** As the keys of shared state and the registry write it: the namespace has no {@code |}, so it splits. */
    String id() {
        return namespace + "|" + tenant;
    }
}
