package dev.smartflow.core.cost;

import java.util.Optional;

/**
 * The token prices of the models a deployment calls. Core prices calls through this interface only; the providers
 * module's {@code ModelCatalog} implements it from a versioned price list.
 *
 * <p>Implementations are immutable or otherwise thread-safe, and cheap: {@link #price} is called once per priced call.
 *
 * <pre>{@code
 * Pricing pricing = (provider, model) -> model.equals("my-model")
 *         ? Optional.of(TokenPrice.perMillion(1_000_000, 500_000, 2_000_000))  // $1 in, $0.50 cached, $2 out
 *         : Optional.empty();
 * Smartflow smartflow = Smartflow.builder().resolver(resolver).pricing(pricing).build();
 * }</pre>
 */
@FunctionalInterface
public interface Pricing {
    /**
     * The price of {@code model} as served by {@code provider}, empty when it is not known. Never guesses: an unknown
     * model is reported as unpriced, not as free.
     *
     * @param provider the routing name of the provider that served the call ({@code openai}, {@code groq}, ...)
     * @param model    the model name as sent upstream or as the upstream reported it, possibly with a date suffix
     */
    Optional<TokenPrice> price(String provider, String model);

    /**
     * The price of {@code model} when it is billed by the image, the second of audio, the character or the search
     * rather than (or as well as) by the token; empty when it is not, or not known. Media calls whose answer reports
     * token usage are priced by {@link #price} if it knows the model, otherwise by this. None by default.
     */
    default Optional<UnitPrice> unitPrice(String provider, String model) {
        return Optional.empty();
    }

    /** Knows no prices: every call is unpriced. */
    static Pricing none() {
        return (provider, model) -> Optional.empty();
    }
}
