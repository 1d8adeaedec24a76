package dev.smartflow.server.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.runs.RunLimits;
import dev.smartflow.core.runs.RunSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the {@code runs:} section of the configuration file into {@link RunSettings}:
 *
 * <pre>
 * runs:
 *   max_cost_usd: 5          # limits every run has unless its key's tags set others (all optional)
 *   max_llm_calls: 50
 *   max_tool_calls: 100
 *   max_agent_hops: 10
 *   max_seconds: 900
 *   loop_threshold: 5        # the same MCP tool with the same arguments this often in one run is refused; 0: off
 *   ttl_seconds: 86400       # how long a run's shared state lives
 *   stop_poll_ms: 500        # how often stopped runs are re-read (pub/sub tells at once)
 * </pre>
 */
public final class RunsConfig {
    private static final String[] LIMITS = {"max_cost_usd", "max_llm_calls", "max_tool_calls", "max_agent_hops",
            "max_seconds"};

    private RunsConfig() {
    }

    /**
     * The settings of {@code section} (a missing section means every default: no limits, loop threshold 5).
     *
     * @throws IllegalArgumentException when a value is not a valid non-negative number (the message names it)
     */
    public static RunSettings load(JsonNode section) {
        Map<String, String> limits = new HashMap<>();
        for (String name : LIMITS) {
            JsonNode value = section.path(name);
            if (!value.isMissingNode() && !value.isNull()) {
                limits.put(name, value.asText());
            }
        }
        RunLimits defaults;
        try {
            defaults = RunLimits.of(limits);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException("runs: limits must be non-negative numbers (max_cost_usd in USD, the "
                    + "others whole numbers): " + limits, e);
        }
        int loop = whole(section, "loop_threshold", RunSettings.DEFAULT_LOOP_THRESHOLD);
        long ttl = whole(section, "ttl_seconds", RunSettings.DEFAULTS.ttl().toSeconds());
        long poll = whole(section, "stop_poll_ms", RunSettings.DEFAULTS.poll().toMillis());
        return new RunSettings(defaults, loop, Duration.ofSeconds(ttl), Duration.ofMillis(poll));
    }

    private static int whole(JsonNode section, String name, long fallback) {
        JsonNode value = section.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return Math.toIntExact(fallback);
        }
        if (!value.canConvertToInt() || value.asInt() < 0) {
            throw new IllegalArgumentException("runs." + name + " must be a non-negative whole number, not " + value);
        }
        return value.asInt();
    }
}
