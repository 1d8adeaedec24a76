/**
 * The Java client of a Smartflow gateway: {@link dev.smartflow.client.SmartflowClient} (asynchronous, every call a
 * {@link java.util.concurrent.CompletableFuture}) and {@link dev.smartflow.client.SyncSmartflowClient} (the same
 * methods, blocking), the typed answers of the SDK guide ({@link dev.smartflow.client.AIResponse},
 * {@link dev.smartflow.client.CacheStats}, {@link dev.smartflow.client.ComplianceResult}, ...), the
 * {@link dev.smartflow.client.SmartflowException} family, and two higher-level helpers that run over any
 * {@link dev.smartflow.client.Gateway}: {@link dev.smartflow.client.SmartflowAgent} (memory, compliance scanning,
 * MCP tool calls) and {@link dev.smartflow.client.SmartflowWorkflow} (steps with branching).
 *
 * <p>The module depends on OkHttp and Jackson only, never on the gateway's own modules, so an application adds one
 * dependency to talk to a gateway it does not embed.
 */
package dev.smartflow.client;
