package dev.smartflow.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.Response;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Tells SafeChat what the gateway did to a call that asks with {@value #HEADER}: the compliance flags (types and
 * actions, never values) in {@value #FLAGS}, and for a stream, one last event {@value #EVENT} after the model's
 * chunks with the flags and the call's cost; and lists only the models of providers the caller's key may use. Other
 * callers see nothing of it.
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
        if (exchange.operation() == Operation.MODELS) {
            return response instanceof Response.Complete complete ? allowed(complete, exchange.principal())
                    : response;
        }
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

    /**
     * The model list without the models of providers the caller's key may not use (an id names its provider by its
     * routing prefix, {@code groq/llama-3.3-70b-versatile}; OpenAI's have none).
     */
    private static Response allowed(Response.Complete models, Principal principal) {
        if (models.status() != 200) {
            return models;
        }
        JsonNode json = models.body().json();
        if (!json.path("data").isArray()) {
            return models;
        }
        ObjectNode copy = ((ObjectNode) json).deepCopy();
        ArrayNode kept = copy.putArray("data");
        for (JsonNode model : json.path("data")) {
            String id = model.path("id").asText("");
            String provider = id.contains("/") ? id.substring(0, id.indexOf('/')) : "openai";
            if (principal.allowsProvider(provider)) {
                kept.add(model);
            }
        }
        return new Response.Complete(models.status(), models.headers(), Body.of(copy));
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
            ArrayNode flags = summary.putArray("compliance_flags");
            flags(exchange).forEach(flags::add);
            return new Chunk(EVENT, Body.of(summary));
        }

        @Override
        public void close() {
            chunks.close();
        }
    }
}
