package dev.smartflow.client;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link SmartflowWorkflow} run did (the SDK guide's {@code WorkflowResult}).
 *
 * @param success         whether every step it reached succeeded
 * @param output          the last output (a chat step's answer; compliance and condition steps pass it on)
 * @param stepsExecuted   the steps run, in order
 * @param errors          what failed, each {@code step: reason}
 * @param totalTokens     tokens used by the chat steps
 * @param totalCostMicros what the chat steps cost, in micro-USD, as the gateway priced them
 * @param executionTimeMs how long the run took
 * @param context         the run's values: the input, {@code output}, and each step's output under its name
 */
public record WorkflowResult(boolean success, String output, List<String> stepsExecuted, List<String> errors,
                             long totalTokens, long totalCostMicros, double executionTimeMs,
                             Map<String, Object> context) {
    public WorkflowResult {
        Objects.requireNonNull(output, "output");
        stepsExecuted = List.copyOf(stepsExecuted);
        errors = List.copyOf(errors);
        context = Map.copyOf(context);
    }

    /** The cost in US cents (the guide's {@code total_cost_cents}). */
    public BigDecimal totalCostCents() {
        return BigDecimal.valueOf(totalCostMicros, 4);
    }
}
