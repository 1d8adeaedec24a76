package dev.smartflow.core.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.model.Usd;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A named, ordered list of targets that a call can be served by, with how to pick among them and when to try the next:
 * what a request gets when its {@code model} names the chain. The API's shape:
 *
 * <pre>{@code
 * {"name": "production-chain",
 *  "targets": [{"provider": "openai", "model": "gpt-4o", "weight": 1},
 *              {"provider": "anthropic", "model": "claude-sonnet-4-5", "weight": 1}],
 *  "strategy": "priority", "retry_on": ["429", "500", "502", "503", "504"], "max_retries": 2, "backoff_ms": 200}
 * }</pre>
 *
 * @param name       what a request names as its {@code model} to use the chain; letters, digits, {@code . _ -}
 * @param targets    one to {@value #MAX_TARGETS}
 * @param strategy   how a call's first target is picked ({@link Strategy#PRIORITY} by default)
 * @param retryOn    the upstream statuses after which the next target is tried (a timeout or a broken connection
 *                   always is)
 * @param maxRetries how many attempts may follow the first (each to the next target in the plan, wrapping around)
 * @param backoff    the base of the exponential backoff before a target is tried again within one call
 * @param deadline   how long the whole call may take, attempts and waits included; no attempt starts after it
 */
public record FallbackChain(String name, List<ChainTarget> targets, Strategy strategy, Set<Integer> retryOn,
                            int maxRetries, Duration backoff, Duration deadline) {
    public static final int MAX_TARGETS = 16;
    public static final int MAX_RETRIES = 10;
    public static final Set<Integer> DEFAULT_RETRY_ON = Set.of(429, 500, 502, 503, 504);
    public static final int DEFAULT_MAX_RETRIES = 2;
    public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(5);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    private static final Duration MAX_DEADLINE = Duration.ofHours(1);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final int MAX_TEXT = 256;
    private static final Set<String> FIELDS = Set.of("name", "targets", "strategy", "retry_on", "max_retries",
            "backoff_ms", "timeout_ms");
    private static final Set<String> TARGET_FIELDS = Set.of("provider", "model", "weight", "daily_budget_usd",
            "api_base", "api_key_env");

    public FallbackChain {
        Objects.requireNonNull(name, "name");
        targets = List.copyOf(targets);
        Objects.requireNonNull(strategy, "strategy");
        retryOn = Set.copyOf(retryOn);
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(deadline, "deadline");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a chain name is 1 to 128 letters, digits, '.', '_' or '-'");
        }
        if (targets.isEmpty() || targets.size() > MAX_TARGETS) {
            throw new IllegalArgumentException("a chain has 1 to " + MAX_TARGETS + " targets");
        }
        if (maxRetries < 0 || maxRetries > MAX_RETRIES) {
            throw new IllegalArgumentException("maxRetries must be 0 to " + MAX_RETRIES);
        }
        if (backoff.isNegative() || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("backoff must not be negative and deadline must be positive");
        }
    }

    /** A chain with the defaults: priority order, retry on 429 and 5xx, two retries, 200 ms backoff, 5 min. */
    public static FallbackChain of(String name, List<ChainTarget> targets) {
        return new FallbackChain(name, targets, Strategy.PRIORITY, DEFAULT_RETRY_ON, DEFAULT_MAX_RETRIES,
                DEFAULT_BACKOFF, DEFAULT_DEADLINE);
    }

    public FallbackChain withStrategy(Strategy value) {
        return new FallbackChain(name, targets, value, retryOn, maxRetries, backoff, deadline);
    }

    public FallbackChain withRetries(Set<Integer> statuses, int retries, Duration base) {
        return new FallbackChain(name, targets, strategy, statuses, retries, base, deadline);
    }

    public FallbackChain withDeadline(Duration value) {
        return new FallbackChain(name, targets, strategy, retryOn, maxRetries, backoff, value);
    }

    /** Whether an upstream answer with {@code status} sends the call on to its next target. */
    public boolean retries(int status) {
        return retryOn.contains(status);
    }

    /**
     * Reads a chain in the API's shape. Unknown fields are refused, so a misspelt option is never silently ignored.
     *
     * @param name the chain's name when the path gives it ({@code PUT .../fallback-chains/{name}}); the body's
     *             {@code name}, when present, must then agree
     * @throws InvalidRequest naming the field that is wrong
     */
    public static FallbackChain fromJson(JsonNode json, Optional<String> name) {
        if (!(json instanceof ObjectNode body)) {
            throw invalid("the chain must be a JSON object", null);
        }
        unknownFields(body, FIELDS, "");
        String chainName = name.orElseGet(() -> text(body, "name", true).orElseThrow());
        if (name.isPresent() && body.hasNonNull("name") && !name.get().equals(body.path("name").asText())) {
            throw invalid("'name' must match the chain named in the path", "name");
        }
        if (!NAME.matcher(chainName).matches()) {
            throw invalid("'name' must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit",
                    "name");
        }
        JsonNode list = body.path("targets");
        if (!list.isArray() || list.isEmpty() || list.size() > MAX_TARGETS) {
            throw invalid("'targets' must be an array of 1 to " + MAX_TARGETS + " targets", "targets");
        }
        List<ChainTarget> targets = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            targets.add(target(list.get(i), "targets[" + i + "]"));
        }
        Strategy strategy = text(body, "strategy", false).map(Strategy::parse).orElse(Strategy.PRIORITY);
        if (strategy == Strategy.WEIGHTED && targets.stream().allMatch(t -> t.weight() == 0)) {
            throw invalid("a weighted chain needs a target with a weight above 0", "targets");
        }
        Set<Integer> retryOn = body.hasNonNull("retry_on") ? statuses(body.get("retry_on")) : DEFAULT_RETRY_ON;
        int maxRetries = integer(body, "max_retries", 0, MAX_RETRIES).orElse(DEFAULT_MAX_RETRIES);
        Duration backoff = integer(body, "backoff_ms", 0, (int) MAX_BACKOFF.toMillis())
                .map(Duration::ofMillis).orElse(DEFAULT_BACKOFF);
        Duration deadline = integer(body, "timeout_ms", 1, (int) MAX_DEADLINE.toMillis())
                .map(Duration::ofMillis).orElse(DEFAULT_DEADLINE);
        return new FallbackChain(chainName, targets, strategy, retryOn, maxRetries, backoff, deadline);
    }

    /** The chain in the API's shape; statuses as strings, as the API reference writes them. */
    public ObjectNode toJson() {
        ObjectNode node = Body.MAPPER.createObjectNode().put("name", name);
        ArrayNode list = node.putArray("targets");
        targets.forEach(t -> list.add(t.toJson()));
        node.put("strategy", strategy.wireName());
        ArrayNode statuses = node.putArray("retry_on");
        new TreeSet<>(retryOn).forEach(s -> statuses.add(Integer.toString(s)));
        node.put("max_retries", maxRetries).put("backoff_ms", backoff.toMillis()).put("timeout_ms", deadline.toMillis());
        return node;
    }

    private static ChainTarget target(JsonNode node, String at) {
        if (!(node instanceof ObjectNode target)) {
            throw invalid("'" + at + "' must be an object", at);
        }
        unknownFields(target, TARGET_FIELDS, at + ".");
        String provider = text(target, "provider", true, at + ".provider").orElseThrow();
        String model = text(target, "model", true, at + ".model").orElseThrow();
        int weight = integer(target, "weight", 0, 1_000_000, at + ".weight").orElse(1);
        OptionalLong daily = target.hasNonNull("daily_budget_usd")
                ? OptionalLong.of(Usd.micros(target.get("daily_budget_usd"), at + ".daily_budget_usd"))
                : OptionalLong.empty();
        Optional<String> base = text(target, "api_base", false, at + ".api_base");
        base.ifPresent(b -> {
            if (!(b.startsWith("http://") || b.startsWith("https://"))) {
                throw invalid("'" + at + ".api_base' must be an http or https URL", at + ".api_base");
            }
        });
        Optional<String> env = text(target, "api_key_env", false, at + ".api_key_env");
        env.ifPresent(e -> {
            if (!ENV.matcher(e).matches()) {
                throw invalid("'" + at + ".api_key_env' must name an environment variable (letters, digits, '_')",
                        at + ".api_key_env");
            }
        });
        return new ChainTarget(provider, model, weight, daily, base, env);
    }

    private static Set<Integer> statuses(JsonNode list) {
        if (!list.isArray() || list.size() > 64) {
            throw invalid("'retry_on' must be an array of HTTP statuses", "retry_on");
        }
        Set<Integer> statuses = new TreeSet<>();
        for (JsonNode status : list) {
            int value = status.isIntegralNumber() && status.canConvertToInt() ? status.intValue()
                    : status.isTextual() && status.textValue().matches("[1-5][0-9][0-9]")
                    ? Integer.parseInt(status.textValue()) : -1;
            if (value < 400 || value > 599) {
                throw invalid("'retry_on' holds HTTP error statuses from 400 to 599, as numbers or strings",
                        "retry_on");
            }
            statuses.add(value);
        }
        return statuses;
    }

    private static void unknownFields(ObjectNode node, Set<String> known, String prefix) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!known.contains(field)) {
                String shown = field.length() > 64 ? field.substring(0, 64) + "..." : field;
                throw invalid("unknown field '" + prefix + shown + "'", prefix + shown);
            }
        }
    }

    private static Optional<String> text(ObjectNode node, String field, boolean required) {
        return text(node, field, required, field);
    }

    private static Optional<String> text(ObjectNode node, String field, boolean required, String param) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            if (required) {
                throw invalid("missing required parameter '" + param + "'", param);
            }
            return Optional.empty();
        }
        if (!value.isTextual() || value.textValue().isBlank() || value.textValue().length() > MAX_TEXT
                || !visibleAscii(value.textValue())) {
            throw invalid("'" + param + "' must be a non-empty string of at most " + MAX_TEXT
                    + " visible ASCII characters", param);
        }
        return Optional.of(value.textValue());
    }

    /** Names and URLs only: they end up in headers, metric labels and logs. */
    private static boolean visibleAscii(String text) {
        return text.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    private static Optional<Integer> integer(ObjectNode node, String field, int min, int max) {
        return integer(node, field, min, max, field);
    }

    private static Optional<Integer> integer(ObjectNode node, String field, int min, int max, String param) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min
                || value.intValue() > max) {
            throw invalid("'" + param + "' must be an integer from " + min + " to " + max, param);
        }
        return Optional.of(value.intValue());
    }

    private static InvalidRequest invalid(String message, String param) {
        return new InvalidRequest(message, "invalid_request", param);
    }
}
