package dev.smartflow.core.cost;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.exchange.Attempt;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.model.Cost;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Prices each provider attempt from the usage the provider reported, at the price of what actually served it: the
 * {@link Attempt}'s provider and model (and, when that name has no price, the model the answer names, e.g. an Azure
 * deployment answering as {@code gpt-4o-2024-08-06}).
 *
 * <p>An attempt stage, so it never runs on an answer no provider gave (a cache hit costs nothing upstream), and runs
 * last among them, next to the provider, so it sees the provider's answer as sent. On a complete answer it sets
 * {@value #COST_USD} (decimal USD, six places, or {@code unknown}) and {@value #COST_STATUS} ({@code priced},
 * {@code unpriced}, {@code no_usage}; see {@link Cost.Status}), and records the cost in the exchange's
 * {@link CostMeter} if it has one. A stream's headers leave before its usage chunk exists, so a streamed answer gets no
 * cost headers: its chunks are passed through one by one, each as it arrives, and the cost lands in the
 * {@link CostMeter} when the stream ends or is closed. Without a meter on the exchange a stream is not looked at.
 *
 * <p>A stream can only be priced if it carries usage, and an OpenAI-shaped stream carries it only in a last chunk
 * ({@code choices: []} plus {@code usage}) that the caller asks for with {@code stream_options.include_usage}. So when
 * the exchange is metered, providers ask their upstream for that chunk whether or not the caller did; when the caller
 * did not, this stage reads the chunk and does not pass it on, so the caller sees the stream it asked for. This is the
 * only place it can be removed: every stage further out sees what the caller will see, and a stage closer to the
 * provider does not exist. Free operations ({@link Operation#billed()} false, e.g. {@code count_tokens}) are not
 * priced at all.
 *
 * <p>Pricing is an observer's job: a pricing failure is logged and the call served as if the model had no price.
 */
public final class CostStage implements Stage {
    public static final String COST_USD = "x-smartflow-cost-usd";
    public static final String COST_STATUS = "x-smartflow-cost-status";

    private static final System.Logger LOG = System.getLogger(CostStage.class.getName());

    private final Pricing pricing;

    public CostStage(Pricing pricing) {
        this.pricing = Objects.requireNonNull(pricing, "pricing");
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        Response response = chain.proceed(exchange);
        Optional<Attempt> attempt = exchange.get(Attempt.KEY);
        if (attempt.isEmpty() || !exchange.operation().billed()) {
            return response;
        }
        Optional<CostMeter> meter = exchange.get(CostMeter.KEY);
        return switch (response) {
            case Response.Complete complete -> {
                UsageReader reader = new UsageReader();
                // the provider parsed the answer already, and the tree is cached: no scan, no second parse
                JsonNode answer = read(reader, complete.body(), false);
                Cost cost = cost(attempt.get(), exchange, reader, answer);
                meter.ifPresent(m -> m.record(cost, reader.usage()));
                yield complete.withHeader(COST_USD, cost.usd()).withHeader(COST_STATUS, cost.status().id());
            }
            case Response.Streamed bytes when !bytes.events() -> {
                // synthesised speech: its price depends on the request alone, so it is known before the first byte
                Cost cost = cost(attempt.get(), exchange, new UsageReader(), null);
                meter.ifPresent(m -> m.record(cost, Optional.empty()));
                yield bytes.withHeader(COST_USD, cost.usd()).withHeader(COST_STATUS, cost.status().id());
            }
            case Response.Streamed streamed -> meter.isEmpty() ? streamed
                    : new Response.Streamed(streamed.status(), streamed.headers(),
                            new MeteredChunkStream(streamed.chunks(), hidesUsage(exchange), reader -> meter.get().record(
                                    cost(attempt.get(), exchange, reader, null), reader.usage())));
        };
    }

    /**
     * Reads usage from a body that holds some; anything else (no usage, not JSON) leaves the reader as it was.
     *
     * @param scanFirst look for a {@code "usage"} object in the raw bytes before parsing: for stream chunks, which
     *                  nobody else may parse, and of which only the last one or two carry usage (the others carry
     *                  none, or {@code "usage":null})
     * @return the parsed body when it was read, {@code null} when it was not
     */
    static JsonNode read(UsageReader reader, Body data, boolean scanFirst) {
        if (scanFirst && !data.mayHaveObjectField("usage")) {
            return null;
        }
        try {
            JsonNode json = data.json();
            reader.accept(json);
            return json;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "no usage in an unreadable answer or chunk");
            return null;
        }
    }

    /**
     * True when the stream's usage-only chunk is for pricing alone: an OpenAI-shaped stream (chat or completions)
     * whose caller did not ask for {@code stream_options.include_usage}.
     */
    static boolean hidesUsage(Exchange exchange) {
        Operation operation = exchange.operation();
        if (operation != Operation.CHAT && operation != Operation.COMPLETIONS) {
            return false;
        }
        try {
            JsonNode flag = exchange.body().json().path("stream_options").path("include_usage");
            return !(flag.isBoolean() && flag.booleanValue());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A chunk that holds usage and no choice: {@code choices: []} (or none) and a {@code usage} object. */
    static boolean usageOnly(JsonNode chunk) {
        JsonNode choices = chunk.path("choices");
        return chunk.path("usage").isObject() && (choices.isMissingNode() || choices.isArray() && choices.isEmpty());
    }

    /**
     * @param answer the parsed answer of a complete response, {@code null} for a stream or an answer that is not JSON
     */
    private Cost cost(Attempt attempt, Exchange exchange, UsageReader reader, JsonNode answer) {
        try {
            String provider = attempt.provider().name();
            Optional<TokenPrice> price = pricing.price(provider, attempt.model())
                    .or(() -> reader.model().filter(m -> !m.equals(attempt.model()))
                            .flatMap(m -> pricing.price(provider, m)));
            Optional<UnitPrice.Unit> unit = MediaUnits.unitOf(exchange.operation());
            if (unit.isPresent() && !(price.isPresent() && reader.usage().isPresent())) {
                return unitCost(attempt, exchange, unit.get(), answer, price.isPresent());
            }
            if (price.isEmpty()) {
                return Cost.unpriced();
            }
            return reader.usage().map(usage -> Cost.priced(price.get().costMicros(usage))).orElse(Cost.noUsage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "pricing " + attempt.provider().name() + "/" + attempt.model()
                    + " failed; the call is reported unpriced", e);
            return Cost.unpriced();
        }
    }

    /** A media call priced by the image, audio, character or search; see {@link MediaUnits}. */
    private Cost unitCost(Attempt attempt, Exchange exchange, UnitPrice.Unit unit, JsonNode answer,
                          boolean tokenPriced) {
        Optional<UnitPrice> price = pricing.unitPrice(attempt.provider().name(), attempt.model())
                .filter(p -> p.unit() == unit);
        if (price.isEmpty()) {
            // a token-priced model whose answer reported no tokens could have been priced: the usage is missing
            return tokenPriced ? Cost.noUsage() : Cost.unpriced();
        }
        OptionalLong quantity = MediaUnits.actual(exchange,
                answer == null ? Body.MAPPER.missingNode() : answer);
        return quantity.isPresent() ? Cost.priced(price.get().costMicros(quantity.getAsLong())) : Cost.noUsage();
    }
}
