package dev.smartflow.core.audit;

import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.Ticker;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.exchange.Attempt;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.StreamEnd;
import dev.smartflow.core.model.Usage;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.VirtualKey;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns every call into one {@link AuditRecord} and hands it to the {@link AuditListener}s: successes, errors thrown
 * by any later stage (a 401 from authentication, a 429 from the budget, a 502 from the provider) and streams, whose
 * record is made when the stream ends, fails or is closed. Runs right after the trace stage, outside every stage that
 * can refuse a call, so nothing escapes it.
 *
 * <p>What the record says:
 * <ul>
 *   <li>key, user, org, team: the virtual key that authenticated, the body's {@code user} field or else the key's
 *       owner, and the key's {@code org} and {@code team} tags;</li>
 *   <li>provider and model: the last provider attempt (what served the call, or last failed it), else the model the
 *       body names and provider {@code none};</li>
 *   <li>tokens and cost: from the exchange's {@link CostMeter} (priced calls only);</li>
 *   <li>status and error: the answer's status; a failure's status and its error code (or type). A stream that fails
 *       while read is recorded with the failure's status although the client got a 200 before it; a stream the
 *       client closed early with {@value #CLIENT_CLOSED} ({@code client_closed_request});</li>
 *   <li>latency: to the answer for a complete one, to the end for a stream.</li>
 * </ul>
 * Records never hold prompts, completions or tokens of keys.
 *
 * <p>The listeners hear of a call before its answer has fully left: a complete answer's record is made before this
 * stage returns the answer (so before the server writes its body), a stream's at its last read (so before the server
 * writes its end). A listener that journals the record (the audit writer) therefore has it on disk by the time the
 * client has the whole answer.
 */
public final class AuditStage implements Stage {
    /** The status recorded for a stream the client stopped reading (nginx's convention). */
    public static final int CLIENT_CLOSED = 499;
    static final String NONE = "none";

    private static final System.Logger LOG = System.getLogger(AuditStage.class.getName());

    private final Ticker ticker;
    private final InstantSource clock;
    private final List<AuditListener> listeners;

    public AuditStage(Ticker ticker, InstantSource clock, List<AuditListener> listeners) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        long start = ticker.nanos();
        Instant at = clock.instant();
        Trail trail = new Trail();
        Exchange traced = exchange.with(Trail.KEY, trail);
        Response response;
        try {
            response = chain.proceed(traced);
        } catch (SmartflowException e) {
            emit(traced, trail, at, start, e.status(), Optional.of(error(e)));
            throw e;
        } catch (RuntimeException | Error e) {
            emit(traced, trail, at, start, 500, Optional.of("internal_error"));
            throw e;
        }
        return switch (response) {
            case Response.Complete complete -> {
                int status = complete.status();
                emit(traced, trail, at, start, status,
                        status >= 400 ? Optional.of("http_" + status) : Optional.empty());
                yield complete;
            }
            case Response.Streamed streamed -> new Response.Streamed(streamed.status(), streamed.headers(),
                    ChunkStream.onEnd(streamed.chunks(), end -> {
                        switch (end) {
                            case StreamEnd.Completed c -> emit(traced, trail, at, start, streamed.status(),
                                    Optional.empty());
                            case StreamEnd.Closed c -> emit(traced, trail, at, start, CLIENT_CLOSED,
                                    Optional.of("client_closed_request"));
                            case StreamEnd.Failed f -> emit(traced, trail, at, start,
                                    f.failure() instanceof SmartflowException e ? e.status() : 502,
                                    Optional.of(f.failure() instanceof SmartflowException e ? error(e)
                                            : "stream_failed"));
                        }
                    }));
        };
    }

    private static String error(SmartflowException e) {
        return e.code().orElse(e.type());
    }

    private void emit(Exchange exchange, Trail trail, Instant at, long start, int status, Optional<String> error) {
        AuditRecord record;
        try {
            record = record(exchange, trail, at, Math.max(0, (ticker.nanos() - start) / 1_000), status, error);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, exchange.id() + ": no audit record could be made", e);
            return;
        }
        for (AuditListener listener : listeners) {
            try {
                listener.onRecord(record);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, exchange.id() + ": audit listener "
                        + listener.getClass().getName() + " failed", e);
            }
        }
    }

    private static AuditRecord record(Exchange exchange, Trail trail, Instant at, long latencyMicros, int status,
                                      Optional<String> error) {
        Optional<Attempt> attempt = trail.attempt();
        Optional<Facts.Target> target = attempt.isPresent() ? Optional.empty() : trail.fact(Facts.TARGET);
        String provider = attempt.map(a -> a.provider().name())
                .or(() -> target.map(Facts.Target::provider)).orElse(NONE);
        String model = attempt.map(Attempt::model).or(() -> target.map(Facts.Target::model))
                .orElseGet(() -> requestedModel(exchange));
        AuditRecord.Builder builder = AuditRecord.builder(exchange.id().value(), at, exchange.operation().path(),
                provider, model).latencyMicros(latencyMicros).traceId(exchange.traceId().value());
        Principal principal = trail.principal().orElse(exchange.principal());
        Optional<VirtualKey> key = principal.key();
        key.map(VirtualKey::id).ifPresent(builder::keyId);
        Optional<String> user = bodyText(exchange, "user")
                .or(() -> key.map(VirtualKey::ownerId));
        user.ifPresent(builder::userId);
        key.map(k -> k.tags().get("org")).ifPresent(builder::orgId);
        key.map(k -> k.tags().get("team")).ifPresent(builder::teamId);
        exchange.get(CostMeter.KEY).ifPresent(meter -> {
            Usage usage = meter.usage().orElse(Usage.NONE);
            builder.tokens(usage.promptTokens(), usage.completionTokens());
            meter.cost().ifPresent(cost -> cost.micros().ifPresent(builder::costMicros));
        });
        builder.attempts(trail.attempts());
        trail.fact(Facts.CACHE_HIT).ifPresent(hit -> builder.cacheHit(hit.tier()));
        trail.fact(Facts.COMPLIANCE).ifPresent(verdict -> builder.compliance(verdict.score(), verdict.flags()));
        if (error.isPresent()) {
            builder.failed(status, error.get());
        } else {
            builder.status(status);
        }
        return builder.build();
    }

    private static String requestedModel(Exchange exchange) {
        return bodyText(exchange, "model").filter(m -> !m.isBlank()).orElse(NONE);
    }

    /** A text field of the body, if the body is a JSON object that has it; never fails. */
    private static Optional<String> bodyText(Exchange exchange, String field) {
        if (exchange.body().isEmpty()) {
            return Optional.empty();
        }
        try {
            return exchange.body().text(field).filter(s -> !s.isBlank());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
