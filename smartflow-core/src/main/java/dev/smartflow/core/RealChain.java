package dev.smartflow.core;

import dev.smartflow.core.exchange.Attempt;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The chain handed to the stage at {@code index - 1}; {@link #proceed} runs the stage at {@code index}. One object per
 * stage per call, as in OkHttp's RealInterceptorChain, so the rules can be checked where they are broken and the error
 * can name the stage that broke them:
 * <ul>
 *   <li>no stage returns null;</li>
 *   <li>no stage calls {@code proceed} twice, except the route stage;</li>
 *   <li>no stage changes the principal once it is authenticated;</li>
 *   <li>attempt stages and the provider only ever see exchanges that carry an {@link Attempt}.</li>
 *   <li>whoever drops a {@link Response.Streamed} closes it: a stage that got a stream from {@code proceed} and then
 *       answers whole, or fails, without having closed or read it to its end would leave an upstream connection
 *       open until its timeout; the chain closes such a stream and logs the stage that dropped it.</li>
 * </ul>
 */
final class RealChain implements Chain {
    private static final System.Logger LOG = System.getLogger(RealChain.class.getName());

    private final Pipeline pipeline;
    private final int index;
    private final Exchange exchange;
    private int calls;
    /** The streams this chain handed to its stage, to close those it drops; null until the first. */
    private List<Tracked> handed;

    RealChain(Pipeline pipeline, int index, Exchange exchange) {
        this.pipeline = pipeline;
        this.index = index;
        this.exchange = exchange;
    }

    @Override
    public Response proceed(Exchange next) {
        Objects.requireNonNull(next, "exchange");
        Stage[] stages = pipeline.stages;
        int caller = index - 1;
        if (++calls > 1 && caller != pipeline.routeIndex) {
            throw new IllegalStateException(name(stages[caller]) + " called proceed more than once");
        }
        if (exchange.principal().authenticated() && next.principal() != exchange.principal()
                && !next.principal().equals(exchange.principal())) {
            throw new IllegalStateException(name(stages[caller]) + " changed the authenticated principal");
        }
        if (index > pipeline.routeIndex && pipeline.routeIndex >= 0 && next.get(Attempt.KEY).isEmpty()) {
            throw new IllegalStateException(name(stages[caller]) + " proceeded into the attempt stages without an"
                    + " Attempt on the exchange");
        }
        Response response;
        String answeredBy;
        if (index < stages.length) {
            RealChain child = new RealChain(pipeline, index + 1, next);
            try {
                response = stages[index].handle(next, child);
            } catch (RuntimeException | Error e) {
                child.closeDropped(stages[index], null);
                throw e;
            }
            child.closeDropped(stages[index], response);
            answeredBy = name(stages[index]);
        } else if (pipeline.routeIndex >= 0) {
            Attempt attempt = next.get(Attempt.KEY).orElseThrow();
            response = attempt.provider().call(next, attempt.model());
            answeredBy = "provider " + attempt.provider().name();
        } else {
            throw new IllegalStateException("no stage answered " + next.operation()
                    + " and the pipeline has no route stage");
        }
        if (response == null) {
            throw new IllegalStateException(answeredBy + " returned a null response");
        }
        if (response instanceof Response.Streamed streamed) {
            Tracked tracked = new Tracked(streamed.chunks());
            if (handed == null) {
                handed = new ArrayList<>(1);
            }
            handed.add(tracked);
            return new Response.Streamed(streamed.status(), streamed.headers(), tracked);
        }
        return response;
    }

    /**
     * After {@code stage} answered (with {@code answer}, or failed when it is null): a stream it got and neither
     * passed on nor finished is closed. A stage that answers with a stream is trusted to have wrapped the one it got.
     */
    private void closeDropped(Stage stage, Response answer) {
        if (handed == null || answer instanceof Response.Streamed) {
            return;
        }
        for (Tracked tracked : handed) {
            if (!tracked.finished) {
                LOG.log(System.Logger.Level.WARNING, () -> name(stage) + " dropped a stream without closing it;"
                        + " closed for it");
                tracked.close();
            }
        }
    }

    /** A stream that knows whether it was closed or read to its end. */
    private static final class Tracked implements ChunkStream {
        private final ChunkStream chunks;
        private boolean finished;

        Tracked(ChunkStream chunks) {
            this.chunks = chunks;
        }

        @Override
        public boolean hasNext() {
            boolean more;
            try {
                more = chunks.hasNext();
            } catch (RuntimeException | Error e) {
                finished = true;
                throw e;
            }
            if (!more) {
                finished = true;
            }
            return more;
        }

        @Override
        public Chunk next() {
            return chunks.next();
        }

        @Override
        public void close() {
            finished = true;
            chunks.close();
        }
    }

    @Override
    public Optional<Attempt> attempt() {
        return exchange.get(Attempt.KEY);
    }

    private static String name(Stage stage) {
        return stage.getClass().getName();
    }
}
