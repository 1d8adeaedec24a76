package dev.smartflow.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@code failures} failed logins within {@code window} for one user name, or for one
 * client address, further attempts for it are refused until the oldest failure leaves the window. A success does not
 * clear an address's failures (a guesser who knows one password learns nothing more), only the user's. In memory, per
 * instance; at most {@value #MAX_TRACKED} names and addresses are tracked (the oldest dropped first). Thread-safe.
 */
final class LoginLimiter {
    static final int MAX_TRACKED = 10_000;

    private final int failures;
    private final Duration window;
    private final InstantSource clock;
    private final Map<String, Deque<Instant>> recent = new ConcurrentHashMap<>();

    LoginLimiter(int failures, Duration window, InstantSource clock) {
        this.failures = failures;
        this.window = window;
        this.clock = clock;
    }

    /** How long until {@code user} from {@code address} may try again; empty when it may try now. */
    Optional<Duration> wait(String user, String address) {
        Instant now = clock.instant();
        Optional<Duration> a = waitFor("u:" + user, now);
        Optional<Duration> b = waitFor("a:" + address, now);
        if (a.isPresent() && b.isPresent()) {
            return a.get().compareTo(b.get()) > 0 ? a : b;
        }
        return a.or(() -> b);
    }

    private Optional<Duration> waitFor(String key, Instant now) {
        Deque<Instant> times = recent.get(key);
        if (times == null) {
            return Optional.empty();
        }
        synchronized (times) {
            Instant since = now.minus(window);
            while (!times.isEmpty() && !times.peekFirst().isAfter(since)) {
                times.pollFirst();
            }
            if (times.size() < failures) {
                return Optional.empty();
            }
            Duration left = Duration.between(now, times.peekFirst().plus(window));
            return Optional.of(left.isNegative() || left.isZero() ? Duration.ofSeconds(1) : left);
        }
    }

    void failed(String user, String address) {
        Instant now = clock.instant();
        if (recent.size() >= MAX_TRACKED) {
            recent.entrySet().removeIf(e -> {
                synchronized (e.getValue()) {
                    return e.getValue().isEmpty() || !e.getValue().peekLast().isAfter(now.minus(window));
                }
            });
        }
        for (String key : new String[] {"u:" + user, "a:" + address}) {
            Deque<Instant> times = recent.computeIfAbsent(key, k -> new ArrayDeque<>());
            synchronized (times) {
                times.addLast(now);
                while (times.size() > failures) {
                    times.pollFirst();
                }
            }
        }
    }

    void succeeded(String user) {
        recent.remove("u:" + user);
    }
}
