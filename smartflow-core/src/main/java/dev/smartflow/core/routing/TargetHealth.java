package dev.smartflow.core.routing;

import dev.smartflow.core.spi.SharedState;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What routing knows of each target's health: its circuit, its rolling latency, its calls in flight, and each
 * provider's success rate, shared between gateway instances through {@link SharedState}.
 *
 * <p><b>Circuits.</b> A target's circuit opens after {@link CircuitSettings#consecutiveFailures} failures in a row, or
 * when the share of failed calls in the last {@link CircuitSettings#window} reaches {@link CircuitSettings#errorRate}.
 * Open, it is skipped by every strategy for {@link CircuitSettings#openFor}; then exactly one caller, across all
 * instances, gets to probe it (half-open); the probe's success closes the circuit, its failure opens it again. The
 * open state and the count of consecutive failures live in the shared state; the error-rate window is counted per
 * instance (each instance sees its own calls), and whichever instance trips it opens the circuit for all.
 *
 * <p><b>Latency.</b> A rolling p95 per target, estimated from an exponential moving mean and variance (p95 = mean +
 * 1.645 standard deviations), published to the shared state at most once a second per instance, so a new instance
 * starts with what the others measured.
 *
 * <p><b>Cost on the hot path.</b> A healthy target costs no shared-state call at all: its shared circuit state is read
 * at most once a second per target and instance, and written only when something changes (a failure, a recovery);
 * latency and provider counts are published at most once a second. Failures are written at once.
 *
 * <p>Thread-safe. Time comes from the injected clock, so tests move it instead of sleeping.
 */
public final class TargetHealth {
    /** How stale this instance's view of a target's shared state may be. */
    static final Duration REFRESH = Duration.ofSeconds(1);
    private static final double Z95 = 1.645;
    /** The weight of each new latency sample in the moving mean and variance. */
    private static final double ALPHA = 0.1;
    private static final String PREFIX = "route:";

    /** How a target's circuit stands. */
    public enum Circuit {
        CLOSED, OPEN, HALF_OPEN;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The last failed attempt anywhere: the routing status shows it. */
    public record Failure(String target, String provider, String error, Instant at) {
    }

    /** A provider's health, the SDK guide's {@code ProviderHealth}. */
    public record ProviderHealth(String provider, String status, double latencyMs, double successRate,
                                 double errorRate, long requestsTotal, Instant lastUpdated) {
    }

    private final SharedState state;
    private final InstantSource clock;
    private final CircuitSettings settings;
    private final ConcurrentHashMap<String, Local> targets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Tally> providers = new ConcurrentHashMap<>();

    public TargetHealth(SharedState state, InstantSource clock, CircuitSettings settings) {
        this.state = Objects.requireNonNull(state, "state");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    // --- circuits

    /** The circuit of {@code target} as this instance sees it (at most {@link #REFRESH} old). */
    public Circuit circuit(String target) {
        Local local = local(target);
        long now = clock.millis();
        refresh(target, local, now);
        if (local.openUntil == 0) {
            return Circuit.CLOSED;
        }
        return now < local.openUntil ? Circuit.OPEN : Circuit.HALF_OPEN;
    }

    /**
     * Whether a call may try {@code target} now: always when its circuit is closed, never while it is open, and for
     * exactly one caller across all instances once it is half-open (the probe).
     */
    public boolean admits(String target) {
        return switch (circuit(target)) {
            case CLOSED -> true;
            case OPEN -> false;
            case HALF_OPEN -> state.setIfAbsent(PREFIX + "probe:" + target, "1", settings.openFor());
        };
    }

    /** A call to {@code target} succeeded after {@code latency}: a half-open or failing circuit closes. */
    public void succeeded(String target, String provider, Duration latency) {
        Local local = local(target);
        long now = clock.millis();
        local.count(now, settings.window().toMillis(), false);
        if (local.failures > 0 || local.openUntil != 0) {
            local.failures = 0;
            local.openUntil = 0;
            state.delete(PREFIX + "cb:" + target);
            state.delete(PREFIX + "probe:" + target);
        }
        local.sample(latency);
        tally(provider).record(false, latency);
        publish(target, provider, local, now);
    }

    /** A call to {@code target} failed in a way that speaks of the target (a 5xx, a 429, a timeout, a reset). */
    public void failed(String target, String provider, Duration latency, String error) {
        Local local = local(target);
        long now = clock.millis();
        local.count(now, settings.window().toMillis(), true);
        boolean rateTripped = local.errorRateReached(settings);
        String key = PREFIX + "cb:" + target;
        long failures = state.hashIncrement(key, "failures", 1);
        state.expire(key, settings.window().plus(settings.openFor()).multipliedBy(2));
        local.failures = failures;
        boolean wasHalfOpen = local.openUntil != 0 && now >= local.openUntil;
        if (failures >= settings.consecutiveFailures() || rateTripped || wasHalfOpen) {
            long until = now + settings.openFor().toMillis();
            state.hashPut(key, "open_until", Long.toString(until));
            state.delete(PREFIX + "probe:" + target);
            local.openUntil = until;
        }
        local.sharedReadAt = now;
        local.sample(latency);
        tally(provider).record(true, latency);
        String shown = error.length() > 200 ? error.substring(0, 200) : error;
        state.set(PREFIX + "last-failure", target + "\n" + provider + "\n" + shown + "\n" + now,
                Optional.of(Duration.ofDays(7)));
        publish(target, provider, local, now);
    }

    /** The last failed attempt any instance recorded, within the last week. */
    public Optional<Failure> lastFailure() {
        return state.get(PREFIX + "last-failure").flatMap(text -> {
            String[] parts = text.split("\n", 4);
            if (parts.length < 4) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Failure(parts[0], parts[1], parts[2],
                        Instant.ofEpochMilli(Long.parseLong(parts[3]))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    // --- in flight, for least_connections

    /** Counts a call to {@code target} as in flight until {@link #finished}. */
    public void started(String target) {
        local(target).inFlight.incrementAndGet();
    }

    public void finished(String target) {
        local(target).inFlight.decrementAndGet();
    }

    /** The calls to {@code target} this instance has in flight. */
    public int inFlight(String target) {
        Local local = targets.get(target);
        return local == null ? 0 : local.inFlight.get();
    }

    // --- latency

    /** The target's rolling p95 latency in microseconds; empty before its first measured call anywhere. */
    public OptionalLong p95Micros(String target) {
        Local local = local(target);
        refresh(target, local, clock.millis());
        if (local.samples > 0) {
            return OptionalLong.of(local.p95Micros());
        }
        return local.sharedP95 < 0 ? OptionalLong.empty() : OptionalLong.of(local.sharedP95);
    }

    // --- providers

    /** Every provider that has served or failed a call, by name; from the shared state, so across instances. */
    public List<ProviderHealth> providers() {
        return providers(List.of());
    }

    /**
     * {@link #providers()} and each of {@code names} as well, by name: a provider this instance has not called is
     * read from the shared state (what other instances recorded), and one no instance has called is healthy, with no
     * calls, as of now.
     */
    public List<ProviderHealth> providers(Collection<String> names) {
        Set<String> all = new TreeSet<>(names);
        all.addAll(providers.keySet());
        List<ProviderHealth> health = new ArrayList<>(all.size());
        for (String provider : all) {
            Tally tally = providers.get(provider);
            if (tally != null) {
                flush(provider, tally, true);
            }
            health.add(health(provider));
        }
        return health;
    }

    private ProviderHealth health(String provider) {
        Map<String, String> shared = state.hashGetAll(PREFIX + "provider:" + provider);
        long requests = parse(shared.get("requests"));
        long errors = parse(shared.get("errors"));
        double latencyMs = parse(shared.get("latency_us")) / 1000.0;
        Instant updated = shared.containsKey("updated") ? Instant.ofEpochMilli(parse(shared.get("updated")))
                : clock.instant();
        double errorRate = requests == 0 ? 0 : (double) errors / requests;
        boolean open = targets.entrySet().stream().anyMatch(e -> e.getValue().provider.equals(provider)
                && circuit(e.getKey()) == Circuit.OPEN);
        boolean allOpen = open && targets.entrySet().stream().filter(e -> e.getValue().provider.equals(provider))
                .allMatch(e -> circuit(e.getKey()) == Circuit.OPEN);
        String status = allOpen ? "unhealthy" : open || errorRate >= 0.1 ? "degraded" : "healthy";
        return new ProviderHealth(provider, status, latencyMs, requests == 0 ? 1 : 1 - errorRate, errorRate,
                requests, updated);
    }

    private Tally tally(String provider) {
        return providers.computeIfAbsent(provider, p -> new Tally());
    }

    private void publish(String target, String provider, Local local, long now) {
        local.provider = provider;
        if (now - local.latencyPublishedAt >= REFRESH.toMillis()) {
            local.latencyPublishedAt = now;
            state.set(PREFIX + "latency:" + target, Long.toString(local.p95Micros()), Optional.of(Duration.ofDays(1)));
        }
        flush(provider, tally(provider), false);
    }

    /** Adds this instance's counts since the last flush to the provider's shared counts, at most once a second. */
    private void flush(String provider, Tally tally, boolean now) {
        long at = clock.millis();
        if (!now && at - tally.flushedAt < REFRESH.toMillis()) {
            return;
        }
        tally.flushedAt = at;
        long requests = tally.requests.sumThenReset();
        long errors = tally.errors.sumThenReset();
        String key = PREFIX + "provider:" + provider;
        if (requests > 0) {
            state.hashIncrement(key, "requests", requests);
        }
        if (errors > 0) {
            state.hashIncrement(key, "errors", errors);
        }
        if (requests > 0 || errors > 0) {
            state.hashPut(key, "latency_us", Long.toString(tally.latencyMicros));
            state.hashPut(key, "updated", Long.toString(at));
        }
    }

    private Local local(String target) {
        return targets.computeIfAbsent(target, t -> new Local());
    }

    /** Reads the target's shared circuit and latency when this instance's copy is older than {@link #REFRESH}. */
    private void refresh(String target, Local local, long now) {
        if (now - local.sharedReadAt < REFRESH.toMillis() && local.sharedReadAt != 0) {
            return;
        }
        local.sharedReadAt = now;
        Map<String, String> circuit = state.hashGetAll(PREFIX + "cb:" + target);
        local.failures = parse(circuit.get("failures"));
        local.openUntil = parse(circuit.get("open_until"));
        if (local.samples == 0) {
            local.sharedP95 = state.get(PREFIX + "latency:" + target).map(TargetHealth::parse).orElse(-1L);
        }
    }

    private static long parse(String text) {
        if (text == null) {
            return 0;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** This instance's view of one target. */
    private static final class Local {
        final AtomicInteger inFlight = new AtomicInteger();
        volatile String provider = "";
        volatile long sharedReadAt;
        volatile long failures;
        volatile long openUntil;
        volatile long sharedP95 = -1;
        volatile long latencyPublishedAt;
        // the error-rate window: the current and the previous bucket of one window each
        private long bucketStart;
        private long calls;
        private long failed;
        private long previousCalls;
        private long previousFailed;
        // the latency's moving mean and variance, in microseconds
        private double mean;
        private double variance;
        private long samples;

        synchronized void count(long now, long window, boolean failure) {
            if (now - bucketStart >= window) {
                boolean adjacent = now - bucketStart < 2 * window;
                previousCalls = adjacent ? calls : 0;
                previousFailed = adjacent ? failed : 0;
                calls = 0;
                failed = 0;
                bucketStart = now;
            }
            calls++;
            if (failure) {
                failed++;
            }
        }

        synchronized boolean errorRateReached(CircuitSettings settings) {
            long total = calls + previousCalls;
            return total >= settings.minCalls() && (double) (failed + previousFailed) / total >= settings.errorRate();
        }

        synchronized void sample(Duration latency) {
            double micros = latency.toNanos() / 1000.0;
            if (samples++ == 0) {
                mean = micros;
                variance = 0;
                return;
            }
            double delta = micros - mean;
            mean += ALPHA * delta;
            variance = (1 - ALPHA) * (variance + ALPHA * delta * delta);
        }

        synchronized long p95Micros() {
            return Math.round(mean + Z95 * Math.sqrt(variance));
        }
    }

    /** A provider's calls since the last flush, and its moving mean latency. */
    private static final class Tally {
        final LongAdder requests = new LongAdder();
        final LongAdder errors = new LongAdder();
        volatile long latencyMicros;
        volatile long flushedAt;

        void record(boolean error, Duration latency) {
            requests.increment();
            if (error) {
                errors.increment();
            }
            long micros = latency.toNanos() / 1000;
            latencyMicros = latencyMicros == 0 ? micros : Math.round(latencyMicros * (1 - ALPHA) + micros * ALPHA);
        }
    }
}
