package dev.smartflow.core.cost;

import dev.smartflow.core.exchange.Attribute;
import dev.smartflow.core.model.Cost;
import dev.smartflow.core.model.Usage;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a call's cost lands, for whoever reads it after the answer is done (the audit log, spend, an in-process
 * {@link dev.smartflow.core.model.ChatStream}). A streamed answer's cost is known only once its usage chunk has passed,
 * long after the headers were sent, so it cannot travel in a header: the pipeline puts a meter on the exchange
 * ({@link #KEY}) before the call and {@link CostStage} fills it when the stream ends.
 *
 * <p>The one mutable value on an exchange: written by the stage that priced the attempt, read by anyone after. Safe to
 * read from another thread; the last write wins (a later attempt replaces an earlier one).
 */
public final class CostMeter {
    public static final Attribute<CostMeter> KEY = Attribute.of("cost-meter", CostMeter.class);

    private volatile Cost cost;
    private volatile Usage usage;

    /** The cost, once known: at once for a complete answer, at the end of a stream. */
    public Optional<Cost> cost() {
        return Optional.ofNullable(cost);
    }

    /** The token counts the provider reported, once known; empty when it reported none. */
    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    /**
     * Records what a module's own operation cost ({@link dev.smartflow.core.exchange.ModuleOperation}: an MCP tool
     * call's price, say), for the budget stage to settle and the audit record to show. A module operation reports no
     * token usage.
     */
    public void recordModuleCost(Cost value) {
        record(Objects.requireNonNull(value, "value"), Optional.empty());
    }

    void record(Cost value, Optional<Usage> reported) {
        // usage first: whoever sees the cost sees the usage it was computed from
        this.usage = reported.orElse(null);
        this.cost = value;
    }

    @Override
    public String toString() {
        return "CostMeter[" + cost().map(Cost::toString).orElse("pending") + "]";
    }
}
