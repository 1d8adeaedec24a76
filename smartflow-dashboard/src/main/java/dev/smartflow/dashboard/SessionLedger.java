package dev.smartflow.dashboard;

import dev.smartflow.core.spi.SharedState;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What ends sessions on every instance, kept in the {@link SharedState} so that all instances on one store agree:
 * <ul>
 *   <li><b>revoked token ids</b> (logout): {@code <prefix>revoked:<jti>}, expiring when the token would have;</li>
 *   <li><b>per-user session epochs</b>: {@code <prefix>epoch:<user>}, a counter that a password change, a role
 *       change or the deletion of the user increments. A token carries the epoch of its user when it was issued, and
 *       a token of an older epoch is refused.</li>
 * </ul>
 *
 * <p>Checked on every request, so checked cheaply: each instance keeps what it learnt in local maps, and each change
 * is published on {@code <prefix>sessions} so that the other instances learn it at once. Pub/sub is at most once, so
 * a fact learnt from the store is trusted for {@code recheck} only and then read again: a lost message delays a
 * revocation on another instance by at most that long. A revocation this instance has seen is never forgotten before
 * its token expires. Thread-safe.
 */
final class SessionLedger implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SessionLedger.class.getName());

    private final SharedState state;
    private final String prefix;
    private final InstantSource clock;
    private final Duration recheck;
    private final SharedState.Subscription subscription;
    /** Token ids known to be revoked, until their tokens expire. */
    private final Map<String, Instant> revoked = new ConcurrentHashMap<>();
    /** Token ids the store said were not revoked, and when it said so. */
    private final Map<String, Instant> live = new ConcurrentHashMap<>();
    /** Each user's epoch as last learnt, and when. */
    private final Map<String, Known> epochs = new ConcurrentHashMap<>();
    private volatile Instant lastSweep;

    SessionLedger(SharedState state, String prefix, InstantSource clock, Duration recheck) {
        this.state = state;
        this.prefix = prefix;
        this.clock = clock;
        this.recheck = recheck;
        this.lastSweep = clock.instant();
        this.subscription = state.subscribe(channel(), this::learn);
    }

    /** Revokes a token id everywhere until {@code expiresAt}, when the token would have expired anyway. */
    void revoke(String jti, Instant expiresAt) {
        Duration left = Duration.between(clock.instant(), expiresAt);
        if (left.isNegative() || left.isZero()) {
            return;
        }
        revoked.put(jti, expiresAt);
        live.remove(jti);
        state.set(prefix + "revoked:" + jti, "1", Optional.of(left));
        state.publish(channel(), "revoked " + jti + " " + expiresAt.toEpochMilli());
    }

    /** Whether {@code jti} (of a token valid until {@code expiresAt}) has been revoked on any instance. */
    boolean revoked(String jti, Instant expiresAt) {
        Instant now = clock.instant();
        sweep(now);
        if (revoked.containsKey(jti)) {
            return true;
        }
        Instant checked = live.get(jti);
        if (checked != null && now.isBefore(checked.plus(recheck))) {
            return false;
        }
        boolean gone = state.get(prefix + "revoked:" + jti).isPresent();
        if (gone) {
            revoked.put(jti, expiresAt);
            live.remove(jti);
        } else {
            live.put(jti, now);
        }
        return gone;
    }

    /** The user's current epoch, read from the store (for a token about to be issued). */
    long currentEpoch(String user) {
        long epoch = state.get(epochKey(user)).map(SessionLedger::number).orElse(0L);
        remember(user, epoch);
        return epoch;
    }

    /** Whether a token of {@code user} issued in {@code epoch} is still of the user's current epoch. */
    boolean current(String user, long epoch) {
        Known known = epochs.get(user);
        if (known == null || epoch > known.epoch() || !clock.instant().isBefore(known.at().plus(recheck))) {
            return epoch == currentEpoch(user);
        }
        return epoch == known.epoch();
    }

    /** Ends every session of {@code user} issued so far, on every instance; the new epoch. */
    long endAll(String user) {
        long epoch = state.increment(epochKey(user), 1, Optional.empty());
        remember(user, epoch);
        state.publish(channel(), "epoch " + user + " " + epoch);
        return epoch;
    }

    private void remember(String user, long epoch) {
        epochs.merge(user, new Known(epoch, clock.instant()),
                (old, fresh) -> fresh.epoch() >= old.epoch() ? fresh : new Known(old.epoch(), fresh.at()));
    }

    /** A message of another instance (or this one): {@code revoked <jti> <expiry ms>} or {@code epoch <user> <n>}. */
    private void learn(String message) {
        String[] parts = message.split(" ");
        if (parts.length != 3) {
            LOG.log(System.Logger.Level.WARNING, "ignored a malformed session message");
            return;
        }
        switch (parts[0]) {
            case "revoked" -> {
                revoked.put(parts[1], Instant.ofEpochMilli(number(parts[2])));
                live.remove(parts[1]);
            }
            case "epoch" -> remember(parts[1], number(parts[2]));
            default -> LOG.log(System.Logger.Level.WARNING, "ignored a session message of unknown kind");
        }
    }

    /** Forgets what has expired, at most once per {@code recheck} (and at least once a minute). */
    private void sweep(Instant now) {
        Duration every = recheck.compareTo(Duration.ofMinutes(1)) < 0 ? recheck : Duration.ofMinutes(1);
        if (now.isBefore(lastSweep.plus(every))) {
            return;
        }
        lastSweep = now;
        revoked.values().removeIf(until -> !now.isBefore(until));
        live.values().removeIf(at -> !now.isBefore(at.plus(recheck)));
        epochs.values().removeIf(known -> !now.isBefore(known.at().plus(recheck)));
    }

    private String channel() {
        return prefix + "sessions";
    }

    private String epochKey(String user) {
        return prefix + "epoch:" + user;
    }

    private static long number(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("a session epoch or expiry that is not a number", e);
        }
    }

    @Override
    public void close() {
        subscription.close();
    }

    private record Known(long epoch, Instant at) {
    }
}
