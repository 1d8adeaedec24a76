package dev.smartflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.budget.OutageMode;
import dev.smartflow.store.redis.RedisSharedState;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the server uses shared state (YAML section {@code state}, or {@code SMARTFLOW_STATE_*} variables): how long a
 * call to Redis may take, and what budgets and rate limits do while Redis is unreachable. Matters only with a
 * {@link ServerConfig#redisUrl() Redis}: in-process state is never unreachable.
 *
 * @param timeout    how long a shared-state call waits for Redis before it fails ({@code timeout},
 *                   {@code SMARTFLOW_STATE_TIMEOUT_MS} in milliseconds; 500ms); at most a minute
 * @param budgets    what a budgeted call does while Redis is unreachable ({@code on_outage.budgets},
 *                   {@code SMARTFLOW_STATE_ON_OUTAGE_BUDGETS}: {@code closed}, the default, or {@code open})
 * @param rateLimits what a rate-limited call does meanwhile ({@code on_outage.rate_limits},
 *                   {@code SMARTFLOW_STATE_ON_OUTAGE_RATE_LIMITS}: {@code closed}, the default, or {@code open})
 */
public record StateSettings(Duration timeout, OutageMode budgets, OutageMode rateLimits) {
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);
    public static final StateSettings DEFAULTS = new StateSettings(RedisSharedState.DEFAULT_TIMEOUT,
            OutageMode.CLOSED, OutageMode.CLOSED);

    public StateSettings {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(budgets, "budgets");
        Objects.requireNonNull(rateLimits, "rateLimits");
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("state.timeout must be between 1ms and 1m, not " + timeout.toMillis()
                    + "ms");
        }
    }

    /** The {@code state} section, each value overridden by its variable. */
    static StateSettings load(JsonNode section, Map<String, String> env) {
        Duration timeout = variable(env, "SMARTFLOW_STATE_TIMEOUT_MS")
                .map(v -> milliseconds("SMARTFLOW_STATE_TIMEOUT_MS", v))
                .or(() -> field(section.path("timeout")).map(v -> ServerConfig.duration("state.timeout", v)))
                .orElse(DEFAULTS.timeout());
        JsonNode onOutage = section.path("on_outage");
        return new StateSettings(timeout,
                mode(env, "SMARTFLOW_STATE_ON_OUTAGE_BUDGETS", onOutage.path("budgets"), "state.on_outage.budgets"),
                mode(env, "SMARTFLOW_STATE_ON_OUTAGE_RATE_LIMITS", onOutage.path("rate_limits"),
                        "state.on_outage.rate_limits"));
    }

    @Override
    public String toString() {
        return "StateSettings[timeout=" + timeout.toMillis() + "ms, on_outage: budgets=" + budgets.id()
                + ", rate_limits=" + rateLimits.id() + "]";
    }

    private static OutageMode mode(Map<String, String> env, String variable, JsonNode field, String what) {
        return variable(env, variable).or(() -> field(field)).map(v -> {
            try {
                return OutageMode.parse(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + " (" + variable + ") must be closed or open, not '" + v
                        + "'");
            }
        }).orElse(OutageMode.CLOSED);
    }

    private static Optional<String> variable(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static Optional<String> field(JsonNode node) {
        return Optional.of(node).filter(JsonNode::isValueNode).map(n -> n.asText().strip()).filter(v -> !v.isEmpty());
    }

    /** A whole number of milliseconds, or a duration with its unit ({@code 250ms}, {@code 1s}). */
    private static Duration milliseconds(String what, String value) {
        if (value.chars().allMatch(Character::isDigit)) {
            try {
                return Duration.ofMillis(Long.parseLong(value));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " must be a number of milliseconds, not '" + value + "'");
            }
        }
        return ServerConfig.duration(what, value);
    }
}
