package dev.smartflow.core.runs;

import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.spi.SharedState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The shared state of agent runs, and the one place that reads and changes it: step counts, the run's committed
 * cost, its wall clock, its loop counters and its stop flag.
 *
 * <p><b>Design.</b> A run's counters live in one {@link SharedState} hash per run ({@code run:<trace>}: {@code llm},
 * {@code mcp}, {@code a2a}, {@code cost}, {@code started_ms}, {@code state}, {@code limit}) that expires
 * {@link RunSettings#ttl()} after the run's first counted call. A step or a cost is admitted with
 * {@link SharedState#hashIncrementWithin}, one atomic check-and-add, so instances sharing the state never admit more
 * than a limit together. The cost works like a key's budget: the call's worst case is added before the call and the
 * difference to the actual cost after it ({@link #settle}), so committed cost never passes the limit through calls in
 * flight. A call that holds no limit costs no round trip: nothing is counted for a run without limits.
 *
 * <p><b>Stopping.</b> {@link #stop} writes the run into the {@code runs:stopped} hash, flags the run's own hash and
 * publishes the trace on {@value #STOP_CHANNEL}. Every instance keeps the stopped traces in a local set, fed by that
 * channel at once and by re-reading the hash every {@link RunSettings#poll()} (a lost message is caught within it), so
 * the check on every call, and on every chunk of a stream in flight, is a local lookup.
 */
public final class Runs implements AutoCloseable {
    /** The channel a stop is published on; the message is the trace id. */
    public static final String STOP_CHANNEL = "runs.stop";
    static final String STOPPED = "runs:stopped";

    private static final System.Logger LOG = System.getLogger(Runs.class.getName());

    private final SharedState state;
    private final InstantSource clock;
    private final RunSettings settings;
    private final Map<String, Long> stopped = new ConcurrentHashMap<>();
    /** The calls in flight per run, cancelled when it is stopped. */
    private final Map<String, Set<Cancellation>> inFlight = new ConcurrentHashMap<>();
    private final SharedState.Subscription subscription;
    private final ScheduledExecutorService poller;
    private volatile boolean failing;

    private Runs(SharedState state, InstantSource clock, RunSettings settings, boolean poll) {
        this.state = Objects.requireNonNull(state, "state");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.subscription = state.subscribe(STOP_CHANNEL, this::stoppedElsewhere);
        if (poll) {
            this.poller = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("runs-poll").factory());
            long millis = settings.poll().toMillis();
            poller.scheduleWithFixedDelay(this::refreshQuietly, 0, millis, TimeUnit.MILLISECONDS);
        } else {
            this.poller = null;
            refresh();
        }
    }

    /** Runs over {@code state}, subscribed to stops and re-reading them every {@link RunSettings#poll()}. */
    public static Runs start(SharedState state, InstantSource clock, RunSettings settings) {
        return new Runs(state, clock, settings, true);
    }

    /** Runs fed by pub/sub only; {@link #refresh()} re-reads the stopped runs when the caller wants (tests). */
    public static Runs withoutPoll(SharedState state, InstantSource clock, RunSettings settings) {
        return new Runs(state, clock, settings, false);
    }

    public RunSettings settings() {
        return settings;
    }

    // --- the kill switch

    /** Whether the run was stopped, as far as this instance knows: a local lookup, no I/O. */
    public boolean stopped(String trace) {
        return !stopped.isEmpty() && stopped.containsKey(trace);
    }

    /** Stops the run on every instance: later calls are refused, streams in flight end with an error event. */
    public void stop(String trace) {
        long now = clock.millis();
        state.hashPut(STOPPED, trace, Long.toString(now));
        String run = run(trace);
        state.hashPut(run, "state", RunState.STOPPED);
        state.expire(run, settings.ttl());
        markStopped(trace, now);
        state.publish(STOP_CHANNEL, trace);
    }

    /** Re-reads the stopped runs (what the poll does); forgets those stopped longer than the TTL ago. */
    public void refresh() {
        long cutoff = clock.millis() - settings.ttl().toMillis();
        for (Map.Entry<String, String> entry : state.hashGetAll(STOPPED).entrySet()) {
            long at = parse(entry.getValue());
            if (at < cutoff) {
                state.hashRemove(STOPPED, entry.getKey());
                stopped.remove(entry.getKey());
            } else if (!stopped.containsKey(entry.getKey())) {
                markStopped(entry.getKey(), at);
            }
        }
    }

    private void stoppedElsewhere(String trace) {
        if (!stopped.containsKey(trace)) {
            markStopped(trace, clock.millis());
        }
    }

    private void markStopped(String trace, long at) {
        stopped.put(trace, at);
        Set<Cancellation> calls = inFlight.remove(trace);
        if (calls != null) {
            calls.forEach(Cancellation::cancel);
        }
    }

    /**
     * Cancels {@code call} when the run is stopped, here or on another instance (at once if it already is); the
     * returned action ends the watch.
     */
    public Runnable cancelOnStop(String trace, Cancellation call) {
        inFlight.compute(trace, (t, calls) -> {
            Set<Cancellation> set = calls == null ? ConcurrentHashMap.newKeySet() : calls;
            set.add(call);
            return set;
        });
        if (stopped(trace)) {
            call.cancel();
        }
        return () -> inFlight.computeIfPresent(trace, (t, calls) -> {
            calls.remove(call);
            return calls.isEmpty() ? null : calls;
        });
    }

    /** The poll: one warning when reading starts failing (an outage), one note when it works again. */
    private void refreshQuietly() {
        try {
            refresh();
            if (failing) {
                failing = false;
                LOG.log(System.Logger.Level.INFO, "the stopped runs can be read again");
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.log(System.Logger.Level.WARNING, "the stopped runs could not be read (stops published meanwhile "
                        + "still arrive over pub/sub once the state answers): " + e.getMessage());
            }
        }
    }

    // --- limits

    /** A call's admission against its run's limits: what to settle when it ends. */
    public record Admission(String trace, long heldMicros, boolean costHeld) {
    }

    /**
     * Counts a call of {@code step} against the run's limits and holds its worst case against the run's budget.
     *
     * @throws RunRefused when a limit would be passed; the run is then marked in its state
     */
    public Admission admit(String trace, RunStep step, RunLimits limits, long worstMicros) {
        String run = run(trace);
        long now = clock.millis();
        OptionalLong started = OptionalLong.empty();
        if (limits.maxSeconds().isPresent()) {
            started = start(run, now);
            long seconds = limits.maxSeconds().getAsLong();
            if (now - started.getAsLong() > seconds * 1000) {
                throw refused(run, RunRefused.steps("max_seconds", seconds));
            }
        }
        OptionalLong cap = limits.steps(step);
        if (cap.isPresent()) {
            if (started.isEmpty()) {
                start(run, now);
                started = OptionalLong.of(now);
            }
            if (state.hashIncrementWithin(run, step.kind(), 1, cap.getAsLong()).isEmpty()) {
                throw refused(run, RunRefused.steps(step.limit(), cap.getAsLong()));
            }
        }
        if (limits.maxCostMicros().isPresent()) {
            if (started.isEmpty()) {
                start(run, now);
            }
            long limit = limits.maxCostMicros().getAsLong();
            if (state.hashIncrementWithin(run, "cost", worstMicros, limit).isEmpty()) {
                if (cap.isPresent()) {
                    state.hashIncrement(run, step.kind(), -1); // the step was not taken
                }
                throw refused(run, RunRefused.budget(limit));
            }
            return new Admission(trace, worstMicros, true);
        }
        return new Admission(trace, 0, false);
    }

    /** Replaces the call's held worst case with what it cost. */
    public void settle(Admission admission, long actualMicros) {
        if (admission.costHeld() && actualMicros != admission.heldMicros()) {
            state.hashIncrement(run(admission.trace()), "cost", actualMicros - admission.heldMicros());
        }
    }

    /**
     * Counts one more identical call (same {@code signature}) in the run.
     *
     * @throws RunRefused when this call would be the {@link RunSettings#loopThreshold()}-th identical one
     */
    public void checkLoop(String trace, String signature) {
        int threshold = settings.loopThreshold();
        if (threshold == 0) {
            return;
        }
        String key = run(trace) + ":loops";
        if (state.hashIncrementWithin(key, digest(signature), 1, threshold - 1L).isEmpty()) {
            throw refused(run(trace), RunRefused.loop(threshold));
        }
        state.expire(key, settings.ttl());
    }

    /** The run's state for the trace view; empty when this run has no shared state (no limits, never stopped). */
    public Optional<RunState> state(String trace) {
        if (stopped(trace)) {
            return Optional.of(new RunState(RunState.STOPPED, Optional.of("stopped")));
        }
        Map<String, String> run = state.hashGetAll(run(trace));
        if (run.isEmpty()) {
            return Optional.empty();
        }
        String value = run.getOrDefault("state", RunState.RUNNING);
        return Optional.of(new RunState(value, Optional.ofNullable(run.get("limit"))));
    }

    /** When the run's first limited call came, creating its state with its TTL if this is that call. */
    private OptionalLong start(String run, long now) {
        Optional<String> started = state.hashGet(run, "started_ms");
        if (started.isPresent()) {
            return OptionalLong.of(parse(started.get()));
        }
        // 0 → now only if absent: the first instance to get there sets it
        OptionalLong set = state.hashIncrementWithin(run, "started_ms", now, now);
        if (set.isPresent()) {
            state.expire(run, settings.ttl());
            return set;
        }
        return OptionalLong.of(state.hashGet(run, "started_ms").map(Runs::parse).orElse(now));
    }

    private RunRefused refused(String run, RunRefused refusal) {
        try {
            if (!RunState.STOPPED.equals(state.hashGet(run, "state").orElse(""))) {
                state.hashPut(run, "state", RunState.LIMIT_HIT);
                state.hashPut(run, "limit", refusal.limit());
                state.expire(run, settings.ttl());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a run could not be marked: " + e.getMessage());
        }
        return refusal;
    }

    static String run(String trace) {
        return "run:" + trace;
    }

    private static long parse(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A short digest of a loop signature: tool arguments may be long; a hash field needs only to tell them apart. */
    static String digest(String signature) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(signature.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The limits of {@code exchange}'s run: the settings', the key's tags over them, then tightened by headers. */
    public RunLimits limits(Exchange exchange) {
        RunLimits limits = settings.defaults();
        Optional<Map<String, String>> tags = exchange.principal().key().map(k -> k.tags());
        if (tags.isPresent() && !tags.get().isEmpty()) {
            limits = limits.overriddenBy(RunLimits.fromTags(tags.get()));
        }
        if (exchange.headers().size() > 0) {
            limits = limits.tightenedBy(RunLimits.fromHeaders(exchange.headers()));
        }
        return limits;
    }

    @Override
    public void close() {
        subscription.close();
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
