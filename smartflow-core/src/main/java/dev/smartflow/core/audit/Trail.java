package dev.smartflow.core.audit;

import dev.smartflow.core.exchange.Attempt;
import dev.smartflow.core.exchange.Attribute;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.routing.AttemptOutcome;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What inner stages learn about a call that the audit stage, which runs outside them, must report: who the caller
 * turned out to be and which provider attempt served (or last failed) the call. The audit stage puts a trail on the
 * exchange ({@link #KEY}); the authenticate stage and the route stage write to it when it is there.
 *
 * <p>Like {@link dev.smartflow.core.cost.CostMeter}, a mutable value on an immutable exchange, so that facts flow
 * outwards as well as inwards. Safe to read from another thread; the last write wins.
 */
public final class Trail {
    public static final Attribute<Trail> KEY = Attribute.of("audit-trail", Trail.class);

    private volatile Principal principal;
    private volatile Attempt attempt;
    private volatile List<AttemptOutcome> attempts = List.of();
    private final ConcurrentHashMap<Attribute<?>, Object> facts = new ConcurrentHashMap<>();

    /** Records the authenticated caller. */
    public void principal(Principal value) {
        this.principal = value;
    }

    /** Records the provider attempt under way; a later attempt replaces an earlier one. */
    public void attempt(Attempt value) {
        this.attempt = value;
    }

    /** Records how the call's attempts ended so far, in order. */
    public void attempts(List<AttemptOutcome> value) {
        this.attempts = List.copyOf(value);
    }

    /** How the call's attempts ended, in order; empty when none was made. */
    public List<AttemptOutcome> attempts() {
        return attempts;
    }

    /**
     * Records a fact an inner stage learnt for the outer ones (see {@link Facts}): a module's own facts travel the
     * same way under keys of its own. The last note of a key wins.
     */
    public <T> void note(Attribute<T> key, T value) {
        facts.put(key, key.cast(value));
    }

    /** The fact noted under {@code key}, if any. */
    public <T> Optional<T> fact(Attribute<T> key) {
        return Optional.ofNullable(facts.get(key)).map(key::cast);
    }

    public Optional<Principal> principal() {
        return Optional.ofNullable(principal);
    }

    public Optional<Attempt> attempt() {
        return Optional.ofNullable(attempt);
    }
}
