package dev.smartflow.core.runs;

import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.exchange.Headers;

/**
 * A call refused for its run: over a run limit (429 {@code run_budget_exceeded} or {@code run_step_limit}), a loop
 * (429 {@code run_loop_detected}) or a stopped run (409 {@code run_stopped}). The MCP and A2A modules answer it as a
 * JSON-RPC error carrying the same code.
 */
public final class RunRefused extends GatewayError {
    public static final String BUDGET = "run_budget_exceeded";
    public static final String STEPS = "run_step_limit";
    public static final String LOOP = "run_loop_detected";
    public static final String STOPPED = "run_stopped";

    private final String limit;

    private RunRefused(int status, String type, String code, String limit, String message) {
        super(status, type, code, message, null, Headers.EMPTY, null);
        this.limit = limit;
    }

    static RunRefused budget(long limitMicros) {
        return new RunRefused(429, "rate_limit_error", BUDGET, "max_cost_usd", "this run has reached its budget of $"
                + RunLimits.usd(limitMicros) + " (max_cost_usd); start a new run or raise the limit");
    }

    static RunRefused steps(String limit, long value) {
        return new RunRefused(429, "rate_limit_error", STEPS, limit, "this run has reached its " + limit + " of "
                + value + "; start a new run or raise the limit");
    }

    static RunRefused loop(int threshold) {
        return new RunRefused(429, "rate_limit_error", LOOP, "loop_threshold", "this run called the same tool with "
                + "the same arguments " + threshold + " times (loop_threshold); the call is refused as a loop");
    }

    static RunRefused stopped() {
        return new RunRefused(409, "invalid_request_error", STOPPED, "stopped",
                "this run was stopped by an administrator; no further calls of it are served");
    }

    /** Which limit refused the call, e.g. {@code max_llm_calls}, {@code max_cost_usd}, {@code stopped}. */
    public String limit() {
        return limit;
    }
}
