package dev.smartflow.core.runs;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Headers;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The limits of one run; each absent one is unlimited. They come from the configuration's {@code runs:} section, the
 * key's tags ({@code run_max_cost_usd}, {@code run_max_llm_calls}, ...) over it, and the call's headers
 * ({@code x-smartflow-run-max-cost-usd}, ...), which may only tighten what the others set ({@link #tightenedBy}).
 *
 * @param maxCostMicros the most the run may cost, in micro-USD
 * @param maxLlmCalls   the most model calls
 * @param maxToolCalls  the most MCP tool calls
 * @param maxAgentHops  the most A2A tasks
 * @param maxSeconds    the longest the run may last, from its first call
 */
public record RunLimits(OptionalLong maxCostMicros, OptionalLong maxLlmCalls, OptionalLong maxToolCalls,
                        OptionalLong maxAgentHops, OptionalLong maxSeconds) {
    public static final RunLimits NONE = new RunLimits(OptionalLong.empty(), OptionalLong.empty(),
            OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());

    /** The names used in configuration and errors, in component order; tags add {@code run_}, headers more. */
    static final String[] NAMES = {"max_cost_usd", "max_llm_calls", "max_tool_calls", "max_agent_hops", "max_seconds"};
    /** The request headers, in component order. */
    public static final String[] HEADERS = {"x-smartflow-run-max-cost-usd", "x-smartflow-run-max-llm-calls",
            "x-smartflow-run-max-tool-calls", "x-smartflow-run-max-agent-hops", "x-smartflow-run-max-seconds"};

    public RunLimits {
        for (OptionalLong value : new OptionalLong[] {maxCostMicros, maxLlmCalls, maxToolCalls, maxAgentHops,
                maxSeconds}) {
            Objects.requireNonNull(value, "limit");
            if (value.isPresent() && value.getAsLong() < 0) {
                throw new IllegalArgumentException("a run limit is not negative: " + value.getAsLong());
            }
        }
    }

    /** Whether no limit is set: the run stage then makes no round trip to shared state for the call. */
    public boolean isEmpty() {
        return maxCostMicros.isEmpty() && maxLlmCalls.isEmpty() && maxToolCalls.isEmpty() && maxAgentHops.isEmpty()
                && maxSeconds.isEmpty();
    }

    /** The cap on {@code step}'s calls. */
    public OptionalLong steps(RunStep step) {
        return switch (step) {
            case LLM -> maxLlmCalls;
            case TOOL -> maxToolCalls;
            case AGENT -> maxAgentHops;
        };
    }

    /** These limits with each of {@code other}'s set ones in place of this one's. */
    public RunLimits overriddenBy(RunLimits other) {
        return new RunLimits(or(other.maxCostMicros, maxCostMicros), or(other.maxLlmCalls, maxLlmCalls),
                or(other.maxToolCalls, maxToolCalls), or(other.maxAgentHops, maxAgentHops),
                or(other.maxSeconds, maxSeconds));
    }

    /** The stricter of these limits and {@code other}'s, one by one: what a header may do to a key's limits. */
    public RunLimits tightenedBy(RunLimits other) {
        return new RunLimits(min(maxCostMicros, other.maxCostMicros), min(maxLlmCalls, other.maxLlmCalls),
                min(maxToolCalls, other.maxToolCalls), min(maxAgentHops, other.maxAgentHops),
                min(maxSeconds, other.maxSeconds));
    }

    /**
     * The limits a key's tags set: {@code run_max_cost_usd}, {@code run_max_llm_calls}, {@code run_max_tool_calls},
     * {@code run_max_agent_hops}, {@code run_max_seconds}. A tag that is not a valid number is ignored (an operator
     * set it; the key's calls are not refused for it).
     */
    public static RunLimits fromTags(Map<String, String> tags) {
        if (tags.isEmpty()) {
            return NONE;
        }
        OptionalLong[] values = new OptionalLong[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) {
            String tag = tags.get("run_" + NAMES[i]);
            try {
                values[i] = tag == null ? OptionalLong.empty() : OptionalLong.of(parse(i, tag.strip()));
            } catch (IllegalArgumentException e) {
                values[i] = OptionalLong.empty();
            }
        }
        return of(values);
    }

    /**
     * The limits a call's headers ask for ({@link #HEADERS}).
     *
     * @throws InvalidRequest when a header is not a valid non-negative number (code {@code invalid_run_limit})
     */
    public static RunLimits fromHeaders(Headers headers) {
        OptionalLong[] values = new OptionalLong[NAMES.length];
        boolean any = false;
        for (int i = 0; i < HEADERS.length; i++) {
            String value = headers.get(HEADERS[i]).orElse(null);
            if (value == null) {
                values[i] = OptionalLong.empty();
                continue;
            }
            any = true;
            try {
                values[i] = OptionalLong.of(parse(i, value.strip()));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequest(HEADERS[i] + " must be a non-negative " + (i == 0 ? "amount in USD"
                        : "whole number") + ", not '" + shown(value) + "'", "invalid_run_limit", HEADERS[i]);
            }
        }
        return any ? of(values) : NONE;
    }

    /** The limit named {@code name} ({@link #NAMES}) read from configuration text, e.g. {@code "2.50"}. */
    public static RunLimits of(Map<String, String> byName) {
        OptionalLong[] values = new OptionalLong[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) {
            String value = byName.get(NAMES[i]);
            values[i] = value == null ? OptionalLong.empty() : OptionalLong.of(parse(i, value.strip()));
        }
        return of(values);
    }

    private static RunLimits of(OptionalLong[] v) {
        return new RunLimits(v[0], v[1], v[2], v[3], v[4]);
    }

    /** Index 0 is dollars (to micro-USD), the rest whole numbers. */
    private static long parse(int index, String text) {
        if (index == 0) {
            BigDecimal usd = new BigDecimal(text);
            if (usd.signum() < 0) {
                throw new IllegalArgumentException("negative");
            }
            return usd.movePointRight(6).setScale(0, RoundingMode.DOWN).longValueExact();
        }
        long value = Long.parseLong(text);
        if (value < 0) {
            throw new IllegalArgumentException("negative");
        }
        return value;
    }

    private static String shown(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }

    /** Micro-USD as dollars, e.g. {@code 2.5}. */
    static String usd(long micros) {
        return BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
    }

    private static OptionalLong or(OptionalLong first, OptionalLong second) {
        return first.isPresent() ? first : second;
    }

    private static OptionalLong min(OptionalLong a, OptionalLong b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : OptionalLong.of(Math.min(a.getAsLong(), b.getAsLong()));
    }
}
