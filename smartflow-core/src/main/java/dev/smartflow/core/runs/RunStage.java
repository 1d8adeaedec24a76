package dev.smartflow.core.runs;

import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.budget.WorstCases;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Attribute;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.core.exchange.LlmOperation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.StreamEnd;
import dev.smartflow.core.model.Cost;
import java.util.Objects;
import java.util.Optional;

/**
 * Governs the run an exchange belongs to (its trace id): refuses every call of a stopped run, and ends its streams in
 * flight with an error event; refuses the same tool called with the same arguments too often; counts model calls,
 * tool calls and agent hops against the run's step caps; holds the call's worst case against the run's budget and
 * settles its actual cost when it ends (a stream's when the stream ends). See {@link Runs} for where that state lives.
 *
 * <p>Runs right after the rate limits: after the modules' {@code AUTHENTICATED} stages, which mark their calls with a
 * {@link RunCall}, and before the cache, so a stopped run gets no cached answer either. A model call is any billed
 * model endpoint; a module's call counts only when marked. A call whose run has no limit makes no round trip to the
 * shared state: the stop check is a local lookup.
 */
public final class RunStage implements Stage {
    private final Runs runs;
    private final WorstCases worstCases;

    public RunStage(Runs runs, WorstCases worstCases) {
        this.runs = Objects.requireNonNull(runs, "runs");
        this.worstCases = Objects.requireNonNull(worstCases, "worstCases");
    }

    /**
     * Set on a module's exchange whose run is stopped, by {@link #stopGate}: the module refuses the call in its own
     * protocol (a JSON-RPC error with the request's id, say), since some calls it answers without going on to the run
     * stage.
     */
    public static final Attribute<RunRefused> STOPPED = Attribute.of("run-stopped", RunRefused.class);

    /**
     * Refuses every model call of a stopped run, and marks a module's call of one ({@link #STOPPED}); a local lookup,
     * no I/O. The pipeline puts it before the modules' {@code AUTHENTICATED} stages.
     */
    public static Stage stopGate(Runs runs) {
        Objects.requireNonNull(runs, "runs");
        return (exchange, chain) -> {
            if (!runs.stopped(exchange.traceId().value())) {
                return chain.proceed(exchange);
            }
            if (exchange.operation() instanceof ModuleOperation) {
                return chain.proceed(exchange.with(STOPPED, RunRefused.stopped()));
            }
            throw RunRefused.stopped();
        };
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        String trace = exchange.traceId().value();
        if (runs.stopped(trace)) {
            throw RunRefused.stopped();
        }
        // a stop cancels the call in flight (its upstream read fails at once), as the caller going away would
        Cancellation onStop = new Cancellation();
        Optional<Cancellation.Registration> caller = exchange.get(Cancellation.KEY).map(c -> c.onCancel(onStop::cancel));
        Runnable unwatch = runs.cancelOnStop(trace, onStop);
        Runnable release = () -> {
            unwatch.run();
            caller.ifPresent(Cancellation.Registration::close);
        };
        Response response;
        try {
            response = governed(exchange.with(Cancellation.KEY, onStop), chain, trace);
        } catch (RuntimeException | Error e) {
            release.run();
            if (e instanceof RuntimeException && !(e instanceof RunRefused) && runs.stopped(trace)) {
                throw RunRefused.stopped();
            }
            throw e;
        }
        if (response instanceof Response.Streamed streamed) {
            return new Response.Streamed(streamed.status(), streamed.headers(),
                    ChunkStream.onEnd(streamed.chunks(), end -> release.run()));
        }
        release.run();
        return response;
    }

    private Response governed(Exchange exchange, Chain chain, String trace) {
        Optional<RunCall> call = exchange.get(RunCall.KEY);
        RunStep step = exchange.operation() instanceof LlmOperation llm && llm.billed() ? RunStep.LLM
                : call.map(RunCall::step).orElse(null);
        if (step == null) {
            return stoppable(trace, chain.proceed(exchange), Optional.empty(), exchange);
        }
        RunLimits limits = runs.limits(exchange);
        if (call.isPresent() && call.get().signature().isPresent()) {
            runs.checkLoop(trace, call.get().signature().get());
        }
        if (limits.isEmpty()) {
            return stoppable(trace, chain.proceed(exchange), Optional.empty(), exchange);
        }
        long worst = limits.maxCostMicros().isPresent() ? worstCases.micros(exchange) : 0;
        Runs.Admission admission = runs.admit(trace, step, limits, worst);
        Optional<CostMeter> meter = exchange.get(CostMeter.KEY);
        Response response;
        try {
            response = chain.proceed(exchange);
        } catch (RuntimeException | Error e) {
            runs.settle(admission, meter.flatMap(CostMeter::cost).isPresent() ? actualMicros(meter, worst) : 0);
            throw e;
        }
        if (response instanceof Response.Complete) {
            runs.settle(admission, actualMicros(meter, worst));
            return response;
        }
        return stoppable(trace, response, Optional.of(admission), exchange);
    }

    /** A stream that ends with a {@link RunRefused} at its next chunk once the run is stopped; settles when over. */
    private Response stoppable(String trace, Response response, Optional<Runs.Admission> admission,
                               Exchange exchange) {
        if (!(response instanceof Response.Streamed streamed)) {
            return response;
        }
        ChunkStream chunks = new StoppableChunks(streamed.chunks(), trace, runs);
        if (admission.isPresent()) {
            Optional<CostMeter> meter = exchange.get(CostMeter.KEY);
            long held = admission.get().heldMicros();
            chunks = ChunkStream.onEnd(chunks, end -> runs.settle(admission.get(),
                    end instanceof StreamEnd.Failed && meter.flatMap(CostMeter::cost).isEmpty() ? 0
                            : actualMicros(meter, held)));
        }
        return new Response.Streamed(streamed.status(), streamed.headers(), chunks);
    }

    private static long actualMicros(Optional<CostMeter> meter, long worstCase) {
        Optional<Cost> cost = meter.flatMap(CostMeter::cost);
        if (cost.isEmpty()) {
            return 0;
        }
        return switch (cost.get().status()) {
            case PRICED -> cost.get().micros().orElse(worstCase);
            case NO_USAGE -> worstCase;
            case UNPRICED -> 0;
        };
    }

    /** Checks the stop flag (a local lookup) before each chunk is handed on. */
    private static final class StoppableChunks implements ChunkStream {
        private final ChunkStream inner;
        private final String trace;
        private final Runs runs;

        StoppableChunks(ChunkStream inner, String trace, Runs runs) {
            this.inner = inner;
            this.trace = trace;
            this.runs = runs;
        }

        @Override
        public boolean hasNext() {
            check();
            boolean more;
            try {
                more = inner.hasNext();
            } catch (RuntimeException e) {
                // the stop cancelled the upstream read this was blocked in
                check();
                throw e;
            }
            check();
            return more;
        }

        @Override
        public Chunk next() {
            check();
            return inner.next();
        }

        private void check() {
            if (runs.stopped(trace)) {
                inner.close();
                throw RunRefused.stopped();
            }
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
