package dev.smartflow.core;

/**
 * Where a module's stage runs in the default pipeline. The order is fixed, so a module never needs to know the others:
 *
 * <pre>
 * trace → audit → authenticate → validate → [AUTHENTICATED] → rate limits → runs → [PRE_CALL] → [CACHE] → plan
 *       → budget → [BEFORE_ROUTE] → models → route → [ATTEMPT] … → cost → provider
 * </pre>
 *
 * Compliance sees the request before the cache (a redacted request is what gets cached); a cache hit needs no budget
 * headroom; a module's own operations ({@link dev.smartflow.core.exchange.ModuleOperation}) are answered at
 * {@link #BEFORE_ROUTE}, after their budget is held. Stages in one slot run in the order they were added.
 */
public enum Slot {
    /** After authentication and validation, before rate limits: the caller is known. */
    AUTHENTICATED,
    /** After rate limits: pre-call compliance. */
    PRE_CALL,
    /** The cache: may answer the call itself. */
    CACHE,
    /** After the budget is held, before routing: where modules answer their own operations. */
    BEFORE_ROUTE,
    /** Once per provider attempt, inside the route loop, before the cost stage and the provider. */
    ATTEMPT
}
