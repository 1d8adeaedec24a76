package dev.smartflow.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.audit.Facts;
import dev.smartflow.core.audit.Trail;
import dev.smartflow.core.cost.CostMeter;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Tells SafeChat what the gateway did to a call that asks with {@value #HEADER}: the compliance flags (types and
 * actions, never values) in {@value #FLAGS}, and for a stream, one last event {@value #EVENT} after the model's
 * chunks with the flags and the call's cost. Other callers see nothing of it.
 */
final class SafeChatStage implements Stage {
    static final String HEADER = "x-smartflow-safechat";
    static final String FLAGS = "x-smartflow-compliance-flags";
    static final String EVENT = "smartflow.summary";

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        if (exchange.headers().get(HEADER).isEmpty()) {
            return chain.proceed(exchange);
        }
        Response response = chain.proceed(exchange);
        String flags = String.join(",", flags(exchange));
        return switch (response) {
            case Response.Complete complete -> flags.isEmpty() ? complete : complete.withHeader(FLAGS, flags);
            case Response.Streamed streamed -> {
                Response.Streamed summarised = new Response.Streamed(streamed.status(), streamed.headers(),
                        new Summarised(streamed.chunks(), exchange));
                yield flags.isEmpty() ? summarised : summarised.withHeader(FLAGS, flags);
            }
        };
    }

    private static List<String> flags(Exchange exchange) {
        return exchange.get(Trail.KEY).flatMap(t -> t.fact(Facts.COMPLIANCE)).map(Facts.Compliance::flags)
                .orElse(List.of());
    }

    /** The model's chunks, then the summary event once they end. */
    private static final class Summarised implements ChunkStream {
        private final ChunkStream chunks;
        private final Exchange exchange;
        private boolean summarised;

        Summarised(ChunkStream chunks, Exchange exchange) {
            this.chunks = chunks;
            this.exchange = exchange;
        }

        @Override
        public boolean hasNext() {
            return chunks.hasNext() || !summarised;
        }

        @Override
        public Chunk next() {
            if (chunks.hasNext()) {
                return chunks.next();
            }
            if (summarised) {
                throw new NoSuchElementException();
            }
            summarised = true;
            ObjectNode summary = Body.MAPPER.createObjectNode();
            Optional<dev.smartflow.core.model.Cost> cost = exchange.get(CostMeter.KEY).flatMap(CostMeter::cost);
            cost.flatMap(c -> c.micros().isPresent() ? Optional.of(c.micros().getAsLong()) : Optional.empty())
                    .ifPresentOrElse(micros -> summary.put("cost_usd", micros / 1_000_000.0),
                            () -> summary.putNull("cost_usd"));
            summary.put("cost_status", cost.map(c -> c.status().id()).orElse("unknown"));
            flags(exchange).forEach(summary.putArray("compliance_flags")::add);
            if (!summary.has("compliance_flags")) {
                summary.putArray("compliance_flags");
            }
            return new Chunk(EVENT, Body.of(summary));
        }

        @Override
        public void close() {
            chunks.close();
        }
    }
}
