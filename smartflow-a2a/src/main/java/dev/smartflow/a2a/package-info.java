/**
 * The A2A agent gateway, a server module ({@link dev.smartflow.a2a.A2aModule}): a registry of upstream agents
 * ({@code /api/a2a/agents}), their cards rewritten to the gateway, and their tasks (JSON-RPC of A2A 1.0 and 0.3, the
 * REST binding, SSE streams) forwarded through the pipeline with the keys, budgets, rate limits and audit of LLM calls.
 */
package dev.smartflow.a2a;
