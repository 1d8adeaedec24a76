package dev.smartflow.core.routing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.audit.Trail;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.cost.TokenPrice;
import dev.smartflow.core.error.PermissionDenied;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.Attempt;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.StreamEnd;
import dev.smartflow.core.model.Usage;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Serves a call from its {@link RoutePlan}: tries its targets in the order the strategy gives, moving on when one
 * fails in a way another may not, and stamps the answer with what served it ({@code x-smartflow-provider},
 * {@code x-smartflow-model}, {@code x-smartflow-attempts}). The only stage that calls {@code proceed} more than once.
 *
 * <ul>
 *   <li><b>When to move on.</b> An upstream status in the plan's {@code retry_on} (429 and 5xx by default), a timeout
 *       or a broken connection sends the call to the next target; any other error (a 400, a 401) returns at once. A
 *       plain model is one attempt; a chain makes up to {@code max_retries + 1}, wrapping round its targets.</li>
 *   <li><b>Waiting.</b> A target not yet tried in this call is tried at once: another target's failure says nothing
 *       about it. A target tried again waits {@code backoff_ms × 2^k} with full jitter, or the {@code Retry-After} it
 *       gave, whichever is longer; no wait and no attempt goes past the plan's deadline.</li>
 *   <li><b>Health.</b> Each attempt's outcome goes to {@link TargetHealth}: chains skip targets whose circuit is open
 *       (a plain model, having nothing to fall back to, is always tried). A call forced to one provider
 *       ({@link ForcedProvider}) keeps only that provider's targets, or sends the requested model there.</li>
 *   <li><b>Streams.</b> The first chunk is awaited before the stream is returned, so a stream that fails before its
 *       first byte fails over like any call. After the first byte the stream is the client's: a later failure ends it
 *       with the error event the server writes, the target's health is charged, and the audit records it.</li>
 *   <li><b>Exhausted.</b> A chain whose every attempt failed is a 503 {@link ChainExhausted} listing each attempt;
 *       a plain model's single failure is returned as it is.</li>
 * </ul>
 *
 * <p>A virtual key restricted to some providers is checked here, per target: a target the key may not use is skipped,
 * and a call none of whose targets the key may use fails with {@link PermissionDenied} ({@code provider_not_allowed})
 * before any provider sees it.
 */
public final class RouteStage implements Stage {
    public static final String PROVIDER = "x-smartflow-provider";
    public static final String MODEL = "x-smartflow-model";
    public static final String ATTEMPTS = "x-smartflow-attempts";
    /** The completion tokens the cost strategy expects when a request names no {@code max_tokens}. */
    private static final long EXPECTED_COMPLETION = 1_000;

    private final Routing routing;

    /** Routing with plain models only, health kept in this process. */
    public RouteStage(ModelResolver resolver) {
        this(Routing.builder(resolver).build());
    }

    public RouteStage(Routing routing) {
        this.routing = Objects.requireNonNull(routing, "routing");
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        RoutePlan plan = exchange.get(RoutePlan.KEY).orElseGet(() -> routing.planner().plan(exchange));
        List<RoutePlan.Planned> order = order(plan, exchange);
        RoutePlan.Policy policy = plan.policy();
        boolean chained = plan.targets().size() > 1 || plan.chain().isPresent();
        long deadline = routing.ticker().nanos() + policy.deadline().toNanos();
        Optional<Trail> trail = exchange.get(Trail.KEY);
        List<AttemptOutcome> outcomes = new ArrayList<>();
        Set<String> tried = new HashSet<>();
        SmartflowException last = null;
        String stopped = "";
        int next = 0;
        for (int number = 1; number <= policy.maxRetries() + 1; number++) {
            RoutePlan.Planned target = null;
            for (int k = 0; k < order.size() && target == null; k++) {
                RoutePlan.Planned candidate = order.get((next + k) % order.size());
                if (!chained || routing.health().admits(candidate.id())) {
                    target = candidate;
                    next = next + k + 1;
                }
            }
            if (target == null) {
                stopped = "every remaining target's circuit is open";
                break;
            }
            if (tried.contains(target.id())) {
                Duration wait = backoff(policy, tried.size(), last);
                if (routing.ticker().nanos() + wait.toNanos() > deadline) {
                    stopped = "the next try would pass the deadline of " + policy.deadline().toMillis() + " ms";
                    break;
                }
                sleep(wait);
            }
            if (routing.ticker().nanos() > deadline) {
                stopped = "the deadline of " + policy.deadline().toMillis() + " ms passed";
                break;
            }
            tried.add(target.id());
            Attempt attempt = new Attempt(target.target().provider(), target.target().model(), number);
            trail.ifPresent(t -> t.attempt(attempt));
            Result result = attempt(exchange, chain, target, attempt, policy);
            if (result.outcome() != null) {
                outcomes.add(result.outcome());
                trail.ifPresent(t -> t.attempts(outcomes));
            }
            if (result.response() != null) {
                return result.response().withHeader(PROVIDER, attempt.provider().name())
                        .withHeader(MODEL, attempt.model()).withHeader(ATTEMPTS, Integer.toString(number));
            }
            if (!result.moveOn()) {
                throw result.failure();
            }
            last = result.failure();
        }
        if (!chained && last != null) {
            throw last;
        }
        throw new ChainExhausted(plan.requested(), outcomes, stopped);
    }

    /** One attempt: its answer, or why it failed and whether the call moves on. */
    private record Result(Response response, SmartflowException failure, boolean moveOn, AttemptOutcome outcome) {
    }

    private Result attempt(Exchange exchange, Chain chain, RoutePlan.Planned target, Attempt attempt,
                           RoutePlan.Policy policy) {
        TargetHealth health = routing.health();
        String provider = attempt.provider().name();
        long start = routing.ticker().nanos();
        health.started(target.id());
        Response response;
        try {
            response = chain.proceed(exchange.with(Attempt.KEY, attempt));
            if (response instanceof Response.Streamed streamed) {
                response = firstChunk(streamed);
            }
        } catch (SmartflowException e) {
            health.finished(target.id());
            return failed(target, attempt, policy, e, micros(start));
        } catch (RuntimeException | Error e) {
            health.finished(target.id());
            throw e;
        }
        long latency = micros(start);
        if (response instanceof Response.Streamed streamed) {
            ChunkStream watched = ChunkStream.onEnd(streamed.chunks(), end -> {
                health.finished(target.id());
                switch (end) {
                    case StreamEnd.Completed c -> {
                        health.succeeded(target.id(), provider, Duration.ofNanos(latency * 1_000));
                        spent(exchange, target);
                    }
                    case StreamEnd.Failed f -> health.failed(target.id(), provider, Duration.ofNanos(latency * 1_000),
                            f.failure() instanceof SmartflowException e ? code(e) : "stream_failed");
                    case StreamEnd.Closed c -> { }
                }
            });
            return new Result(new Response.Streamed(streamed.status(), streamed.headers(), watched), null, false,
                    new AttemptOutcome(provider, attempt.model(), streamed.status(), Optional.empty(), latency));
        }
        health.finished(target.id());
        health.succeeded(target.id(), provider, Duration.ofNanos(latency * 1_000));
        spent(exchange, target);
        return new Result(response, null, false, new AttemptOutcome(provider, attempt.model(), response.status(),
                Optional.empty(), latency));
    }

    private Result failed(RoutePlan.Planned target, Attempt attempt, RoutePlan.Policy policy, SmartflowException e,
                          long latency) {
        String provider = attempt.provider().name();
        int status = e instanceof UpstreamFailure u ? u.upstreamStatus().orElse(e.status()) : e.status();
        AttemptOutcome outcome = new AttemptOutcome(provider, attempt.model(), status, Optional.of(code(e)), latency);
        if (!(e instanceof UpstreamFailure upstream)) {
            return new Result(null, e, false, outcome);
        }
        if (upstream.retryable()) {
            routing.health().failed(target.id(), provider, Duration.ofNanos(latency * 1_000), code(e));
        }
        boolean moveOn = upstream.upstreamStatus().isEmpty()
                || policy.retryOn().contains(upstream.upstreamStatus().getAsInt());
        return new Result(null, e, moveOn, outcome);
    }

    /**
     * Waits for a stream's first chunk, so that a stream failing before its first byte fails over. The chunk read is
     * handed out first by the returned stream.
     */
    private static Response.Streamed firstChunk(Response.Streamed streamed) {
        ChunkStream chunks = streamed.chunks();
        boolean any;
        try {
            any = chunks.hasNext();
        } catch (RuntimeException | Error e) {
            chunks.close();
            throw e;
        }
        if (!any) {
            return streamed;
        }
        Chunk first = chunks.next();
        return new Response.Streamed(streamed.status(), streamed.headers(), new ChunkStream() {
            private Chunk held = first;

            @Override
            public boolean hasNext() {
                return held != null || chunks.hasNext();
            }

            @Override
            public Chunk next() {
                if (held != null) {
                    Chunk chunk = held;
                    held = null;
                    return chunk;
                }
                if (!chunks.hasNext()) {
                    throw new NoSuchElementException();
                }
                return chunks.next();
            }

            @Override
            public void close() {
                chunks.close();
            }
        });
    }

    /** The targets in the order this call tries them: forced provider, the key's providers, the strategy. */
    private List<RoutePlan.Planned> order(RoutePlan plan, Exchange exchange) {
        List<RoutePlan.Planned> targets = forced(plan);
        List<RoutePlan.Planned> allowed = new ArrayList<>(targets.size());
        for (RoutePlan.Planned target : targets) {
            if (exchange.principal().allowsProvider(target.target().provider().name())) {
                allowed.add(target);
            }
        }
        if (allowed.isEmpty()) {
            String provider = targets.getFirst().target().provider().name();
            throw new PermissionDenied("this key may not call the provider '" + provider + "'",
                    "provider_not_allowed");
        }
        if (allowed.size() == 1 || plan.policy().strategy() == Strategy.PRIORITY) {
            return allowed;
        }
        List<ChainTarget> specs = allowed.stream().map(RoutePlan.Planned::spec).toList();
        List<ChainTarget> ordered = routing.order().order(plan.chain().map(FallbackChain::name)
                        .orElse(plan.requested()), plan.policy().strategy(), specs,
                spec -> expectedCost(spec, exchange), this::overDailyBudget);
        List<RoutePlan.Planned> result = new ArrayList<>(ordered.size());
        for (ChainTarget spec : ordered) {
            for (RoutePlan.Planned target : allowed) {
                if (target.spec() == spec) {
                    result.add(target);
                    break;
                }
            }
        }
        return result.isEmpty() ? allowed : result;
    }

    private List<RoutePlan.Planned> forced(RoutePlan plan) {
        Optional<ForcedProvider.Force> force = routing.forced().current();
        if (force.isEmpty()) {
            return plan.targets();
        }
        String provider = force.get().provider();
        List<RoutePlan.Planned> kept = plan.targets().stream()
                .filter(t -> t.target().provider().name().equals(provider)).toList();
        if (!kept.isEmpty()) {
            return kept;
        }
        String model = plan.targets().getFirst().target().model();
        ChainTarget spec = ChainTarget.of(provider, model);
        return List.of(new RoutePlan.Planned(spec, routing.resolver().resolve(spec)));
    }

    /** Full jitter over an exponential backoff, at least the upstream's {@code Retry-After}. */
    private Duration backoff(RoutePlan.Policy policy, int round, SmartflowException last) {
        long base = policy.backoff().toMillis();
        long ceiling = base <= 0 ? 0 : base << Math.min(round - 1, 10);
        long jittered = ceiling <= 0 ? 0 : routing.random().nextLong(ceiling + 1);
        long asked = last instanceof UpstreamFailure u ? u.retryAfter().map(Duration::toMillis).orElse(0L) : 0;
        return Duration.ofMillis(Math.max(jittered, asked));
    }

    private void sleep(Duration wait) {
        if (wait.isZero()) {
            return;
        }
        try {
            routing.sleeper().sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry", e);
        }
    }

    private OptionalLong expectedCost(ChainTarget spec, Exchange exchange) {
        Optional<TokenPrice> price = routing.pricing().price(spec.provider(), spec.model());
        if (price.isEmpty()) {
            return OptionalLong.empty();
        }
        long prompt = (exchange.body().length() + 3L) / 4;
        long completion = EXPECTED_COMPLETION;
        JsonNode max = exchange.body().json().path("max_tokens");
        if (max.canConvertToLong() && max.asLong() > 0) {
            completion = max.asLong();
        }
        return OptionalLong.of(price.get().costMicros(new Usage(prompt, completion, prompt + completion)));
    }

    private boolean overDailyBudget(ChainTarget spec) {
        if (spec.dailyBudgetMicros().isEmpty()) {
            return false;
        }
        try {
            long spent = routing.state().get(dailyKey(spec)).map(Long::parseLong).orElse(0L);
            return spent >= spec.dailyBudgetMicros().getAsLong();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Adds what an answer cost to its target's daily spend, for targets with a daily budget. */
    private void spent(Exchange exchange, RoutePlan.Planned target) {
        if (target.spec().dailyBudgetMicros().isEmpty()) {
            return;
        }
        long micros = exchange.get(CostMeter.KEY).flatMap(CostMeter::cost).flatMap(c -> {
            OptionalLong m = c.micros();
            return m.isPresent() ? Optional.of(m.getAsLong()) : Optional.<Long>empty();
        }).orElse(0L);
        if (micros > 0) {
            try {
                routing.state().increment(dailyKey(target.spec()), micros, Optional.of(Duration.ofDays(2)));
            } catch (RuntimeException e) {
                // a target's daily spend is a routing preference; an unreadable state must not fail a served call
            }
        }
    }

    private String dailyKey(ChainTarget spec) {
        return "route:spend:" + spec.id() + ":" + LocalDate.ofInstant(routing.clock().instant(), ZoneOffset.UTC);
    }

    private long micros(long start) {
        return Math.max(0, (routing.ticker().nanos() - start) / 1_000);
    }

    private static String code(SmartflowException e) {
        return e.code().orElse(e.type());
    }
}
