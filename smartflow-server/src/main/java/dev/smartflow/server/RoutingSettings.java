package dev.smartflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.routing.CircuitSettings;
import dev.smartflow.core.routing.FallbackChain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code routing} section's fallback chains and circuits (its {@code default_provider} is
 * {@link ServerConfig#defaultProvider()}):
 *
 * <pre>{@code
 * routing:
 *   default_chain: production          # env SMARTFLOW_DEFAULT_CHAIN
 *   fallback_chains:                   # written to the database at start, replacing chains of the same name
 *     - {name: production, strategy: priority, targets: [{provider: openai, model: gpt-4o}, ...]}
 *   circuit: {consecutive_failures: 5, error_rate: 0.5, min_calls: 20, window_seconds: 30, open_seconds: 30}
 * }</pre>
 *
 * A chain is read as the management API reads it ({@link FallbackChain#fromJson}); whether its providers exist is
 * checked at start, against the provider registry. Every error names the field at fault.
 *
 * @param defaultChain the chain behind every plain model whose key names none
 * @param chains       chains declared in the file
 * @param circuit      when a target's circuit opens, and for how long
 */
public record RoutingSettings(Optional<String> defaultChain, List<FallbackChain> chains, CircuitSettings circuit) {
    public static final RoutingSettings DEFAULTS = new RoutingSettings(Optional.empty(), List.of(),
            CircuitSettings.DEFAULTS);
    private static final Set<String> FIELDS = Set.of("default_provider", "default_chain", "fallback_chains",
            "circuit");
    private static final Set<String> CIRCUIT_FIELDS = Set.of("consecutive_failures", "error_rate", "min_calls",
            "window_seconds", "open_seconds");
    private static final Pattern CHAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public RoutingSettings {
        Objects.requireNonNull(defaultChain, "defaultChain");
        chains = List.copyOf(chains);
        Objects.requireNonNull(circuit, "circuit");
    }

    /**
     * @param section the {@code routing} section (missing when the file has none)
     * @throws IllegalArgumentException naming the field at fault
     */
    static RoutingSettings load(JsonNode section, Map<String, String> env) {
        if (!section.isMissingNode() && !section.isNull() && !section.isObject()) {
            throw new IllegalArgumentException("routing must be a mapping");
        }
        unknown(section, FIELDS, "routing");
        Optional<String> defaultChain = Optional.ofNullable(env.get("SMARTFLOW_DEFAULT_CHAIN"))
                .filter(name -> !name.isBlank()).map(name -> checkName("SMARTFLOW_DEFAULT_CHAIN", name))
                .or(() -> Optional.ofNullable(section.get("default_chain")).filter(n -> !n.isNull())
                        .map(n -> checkName("routing.default_chain", n.isTextual() ? n.textValue() : n.toString())))
                .filter(name -> !name.isEmpty());
        return new RoutingSettings(defaultChain, chains(section.path("fallback_chains")),
                circuit(section.path("circuit")));
    }

    /** Chains by name only: their targets are listed by the management API. */
    @Override
    public String toString() {
        return "RoutingSettings[defaultChain=" + defaultChain.orElse("none") + ", chains="
                + chains.stream().map(FallbackChain::name).toList() + ", circuit=" + circuit + "]";
    }

    private static String checkName(String what, String name) {
        String stripped = name.strip();
        if (!stripped.isEmpty() && !CHAIN_NAME.matcher(stripped).matches()) {
            throw new IllegalArgumentException(what + " must be a chain name (1 to 128 letters, digits, '.', '_' or"
                    + " '-'), not '" + (stripped.length() > 64 ? stripped.substring(0, 64) + "..." : stripped) + "'");
        }
        return stripped;
    }

    private static List<FallbackChain> chains(JsonNode list) {
        if (list.isMissingNode() || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException("routing.fallback_chains must be a list of chains");
        }
        List<FallbackChain> chains = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "routing.fallback_chains[" + i + "]";
            FallbackChain chain;
            try {
                chain = FallbackChain.fromJson(list.get(i), Optional.empty());
            } catch (InvalidRequest e) {
                throw new IllegalArgumentException(at + e.param().map(p -> "." + p).orElse("") + ": "
                        + e.getMessage(), e);
            }
            if (!names.add(chain.name())) {
                throw new IllegalArgumentException(at + ".name: chain '" + chain.name() + "' is declared twice");
            }
            chains.add(chain);
        }
        return chains;
    }

    private static CircuitSettings circuit(JsonNode section) {
        if (section.isMissingNode() || section.isNull()) {
            return CircuitSettings.DEFAULTS;
        }
        if (!section.isObject()) {
            throw new IllegalArgumentException("routing.circuit must be a mapping");
        }
        unknown(section, CIRCUIT_FIELDS, "routing.circuit");
        CircuitSettings d = CircuitSettings.DEFAULTS;
        int failures = whole(section, "consecutive_failures", d.consecutiveFailures(), 1_000_000);
        double rate = d.errorRate();
        JsonNode rateNode = section.get("error_rate");
        if (rateNode != null && !rateNode.isNull()) {
            if (!rateNode.isNumber() || !(rateNode.doubleValue() > 0 && rateNode.doubleValue() <= 1)) {
                throw new IllegalArgumentException("routing.circuit.error_rate must be a number above 0 and at most"
                        + " 1 (a share of calls), not '" + rateNode.asText() + "'");
            }
            rate = rateNode.doubleValue();
        }
        int minCalls = whole(section, "min_calls", d.minCalls(), 1_000_000);
        int window = whole(section, "window_seconds", (int) d.window().toSeconds(), 86_400);
        int open = whole(section, "open_seconds", (int) d.openFor().toSeconds(), 86_400);
        return new CircuitSettings(failures, rate, minCalls, Duration.ofSeconds(window), Duration.ofSeconds(open));
    }

    private static int whole(JsonNode section, String field, int fallback, int max) {
        JsonNode value = section.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 1 || value.intValue() > max) {
            throw new IllegalArgumentException("routing.circuit." + field + " must be a whole number from 1 to " + max
                    + ", not '" + value.asText() + "'");
        }
        return value.intValue();
    }

    private static void unknown(JsonNode section, Set<String> known, String where) {
        for (Iterator<String> names = section.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!known.contains(field)) {
                throw new IllegalArgumentException(where + "." + field + " is not a setting; the settings are "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }
}
