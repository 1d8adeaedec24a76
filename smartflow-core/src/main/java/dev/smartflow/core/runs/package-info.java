/**
 * Governance of whole agent runs: a run is every call that carries one trace id ({@code x-a2a-trace-id} or
 * {@code traceparent}) across LLM, MCP and A2A. {@link dev.smartflow.core.runs.RunStage} enforces a run's limits
 * ({@link dev.smartflow.core.runs.RunLimits}), its kill switch and loop detection against state shared by every
 * instance ({@link dev.smartflow.core.runs.Runs}); modules mark their calls with a {@link dev.smartflow.core.runs.RunCall}.
 */
package dev.smartflow.core.runs;
