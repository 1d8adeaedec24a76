package dev.smartflow.core.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.model.Usd;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One target of a {@link FallbackChain}: a provider and the model it is sent, its weight, and optionally its own
 * daily budget, API base and the environment variable that holds its key (a second account of the same vendor). The
 * key itself is never stored in a chain: chains are listed over the management API.
 *
 * @param provider          the provider's name as the resolver knows it ({@code openai}, {@code groq}, ...)
 * @param model             the model as that provider knows it
 * @param weight            the share of traffic under {@link Strategy#WEIGHTED}; 0 takes no traffic there
 * @param dailyBudgetMicros what this target may spend per UTC day, in micro-USD, under {@link Strategy#COST}
 * @param apiBase           an API base to use instead of the provider's own
 * @param apiKeyEnv         the environment variable with the key to use instead of the provider's own
 */
public record ChainTarget(String provider, String model, int weight, OptionalLong dailyBudgetMicros,
                          Optional<String> apiBase, Optional<String> apiKeyEnv) {
    public ChainTarget {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(dailyBudgetMicros, "dailyBudgetMicros");
        Objects.requireNonNull(apiBase, "apiBase");
        Objects.requireNonNull(apiKeyEnv, "apiKeyEnv");
        if (weight < 0) {
            throw new IllegalArgumentException("weight must not be negative: " + weight);
        }
    }

    public static ChainTarget of(String provider, String model) {
        return new ChainTarget(provider, model, 1, OptionalLong.empty(), Optional.empty(), Optional.empty());
    }

    public ChainTarget withWeight(int value) {
        return new ChainTarget(provider, model, value, dailyBudgetMicros, apiBase, apiKeyEnv);
    }

    public ChainTarget withDailyBudgetMicros(long micros) {
        return new ChainTarget(provider, model, weight, OptionalLong.of(micros), apiBase, apiKeyEnv);
    }

    /** {@code provider/model}: how health, circuit state and latency name this target. */
    public String id() {
        return apiBase.map(base -> provider + "@" + base).orElse(provider) + "/" + model;
    }

    ObjectNode toJson() {
        ObjectNode node = Body.MAPPER.createObjectNode().put("provider", provider).put("model", model)
                .put("weight", weight);
        dailyBudgetMicros.ifPresent(micros -> node.set("daily_budget_usd", Usd.number(micros)));
        apiBase.ifPresent(base -> node.put("api_base", base));
        apiKeyEnv.ifPresent(env -> node.put("api_key_env", env));
        return node;
    }

}
