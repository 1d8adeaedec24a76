package dev.smartflow.core.runs;

import dev.smartflow.core.exchange.Attribute;
import java.util.Objects;
import java.util.Optional;

/**
 * A module's mark on an exchange: this call is a step of a run. The MCP module marks a {@code tools/call} as a
 * {@link RunStep#TOOL} with its loop signature (server, tool and arguments), the A2A module a task as an
 * {@link RunStep#AGENT} hop; model calls need no mark. The run stage, after the module's {@code AUTHENTICATED} stage,
 * counts it.
 *
 * @param step      what the call counts as
 * @param signature what makes two calls "the same call" for loop detection; empty when loops are not looked for
 */
public record RunCall(RunStep step, Optional<String> signature) {
    public static final Attribute<RunCall> KEY = Attribute.of("run-call", RunCall.class);

    public RunCall {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(signature, "signature");
    }

    /** An MCP tool call; {@code signature} identifies the tool and its arguments. */
    public static RunCall tool(String signature) {
        return new RunCall(RunStep.TOOL, Optional.of(signature));
    }

    /** An A2A task: one agent hop. */
    public static RunCall agentHop() {
        return new RunCall(RunStep.AGENT, Optional.empty());
    }
}
