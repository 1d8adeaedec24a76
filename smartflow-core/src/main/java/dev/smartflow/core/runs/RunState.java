package dev.smartflow.core.runs;

import java.util.Objects;
import java.util.Optional;

/**
 * A run's state as the trace view shows it.
 *
 * @param state {@code running}, {@code stopped} or {@code limit_hit}
 * @param limit which limit refused a call ({@code max_llm_calls}, {@code max_cost_usd}, {@code loop_threshold}...)
 *              when one did
 */
public record RunState(String state, Optional<String> limit) {
    public static final String RUNNING = "running";
    public static final String STOPPED = "stopped";
    public static final String LIMIT_HIT = "limit_hit";

    public RunState {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(limit, "limit");
    }
}
