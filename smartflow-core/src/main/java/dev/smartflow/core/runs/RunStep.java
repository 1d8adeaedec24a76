package dev.smartflow.core.runs;

/** What kind of call a run made: each kind has its own step cap. */
public enum RunStep {
    /** A model call (chat, completions, embeddings, ...). */
    LLM("llm", "max_llm_calls"),
    /** An MCP {@code tools/call}. */
    TOOL("mcp", "max_tool_calls"),
    /** An A2A task sent to an agent. */
    AGENT("a2a", "max_agent_hops");

    private final String kind;
    private final String limit;

    RunStep(String kind, String limit) {
        this.kind = kind;
        this.limit = limit;
    }

    /** The kind as the trace view names it: {@code llm}, {@code mcp} or {@code a2a}. */
    public String kind() {
        return kind;
    }

    /** The name of this step's cap, as the configuration, the errors and the trace view name it. */
    public String limit() {
        return limit;
    }
}
