package dev.smartflow.core.exchange;

import java.util.Optional;

/**
 * What a call asks for: one of the model endpoints ({@link LlmOperation}: chat, embeddings, images, ...), or an
 * operation a module serves ({@link ModuleOperation}: an MCP tool call, an A2A task, a RAG query). Every operation
 * flows through the same pipeline, so it is authenticated, rate limited, budgeted and audited alike; only routed ones
 * reach the route stage and a provider, the others are answered by the module's stage.
 *
 * <p>The model endpoints are also reachable here by name ({@code Operation.CHAT}).
 */
public sealed interface Operation permits LlmOperation, ModuleOperation {
    LlmOperation CHAT = LlmOperation.CHAT;
    LlmOperation COMPLETIONS = LlmOperation.COMPLETIONS;
    LlmOperation EMBEDDINGS = LlmOperation.EMBEDDINGS;
    LlmOperation MODELS = LlmOperation.MODELS;
    LlmOperation IMAGES = LlmOperation.IMAGES;
    LlmOperation TRANSCRIPTIONS = LlmOperation.TRANSCRIPTIONS;
    LlmOperation SPEECH = LlmOperation.SPEECH;
    LlmOperation RERANK = LlmOperation.RERANK;
    LlmOperation ANTHROPIC_MESSAGES = LlmOperation.ANTHROPIC_MESSAGES;
    LlmOperation ANTHROPIC_COUNT_TOKENS = LlmOperation.ANTHROPIC_COUNT_TOKENS;

    /** A short name for logs, e.g. {@code CHAT} or {@code mcp.tools/call}. */
    String name();

    /** The route that serves it, e.g. {@code /v1/chat/completions}: how the audit log names the route. */
    String path();

    /** True when the request names a model and is served by a provider the route stage chooses. */
    boolean routed();

    /** True when the caller may ask for the answer as a stream of chunks. */
    boolean streams();

    /** True when the call costs money, so that budgets hold it and the cost it reports is spent. */
    boolean billed();

    /** The model endpoint, or empty for a module's operation. */
    default Optional<LlmOperation> llm() {
        return this instanceof LlmOperation llm ? Optional.of(llm) : Optional.empty();
    }
}
