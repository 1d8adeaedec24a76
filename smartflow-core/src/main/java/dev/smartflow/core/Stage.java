package dev.smartflow.core;

import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;

/**
 * One step of the pipeline. A stage may answer the exchange itself (a cache hit, a block), pass it on, possibly
 * changed, with {@link Chain#proceed(Exchange)}, and look at or wrap the response on its way back.
 *
 * <p>Stages are shared by all calls: stateless and thread-safe, with any state in a shared store. Each stage calls
 * {@code proceed} at most once, except the route stage, which calls it once per provider attempt.
 *
 * <pre>{@code
 * Stage tagging = (exchange, chain) -> chain.proceed(exchange).withHeader("x-team", "search");
 * }</pre>
 */
@FunctionalInterface
public interface Stage {
    /**
     * @return never null
     * @throws dev.smartflow.core.error.SmartflowException to fail the call with that error
     */
    Response handle(Exchange exchange, Chain chain);
}
