package dev.smartflow.core.exchange;

/**
 * What a call asks for. Each operation maps to one endpoint of the OpenAI-compatible surface, except
 * {@link #ANTHROPIC_MESSAGES}, whose body and answer are in Anthropic's Messages shape.
 */
public enum Operation {
    CHAT(true, true),
    COMPLETIONS(true, true),
    EMBEDDINGS(true, false),
    MODELS(false, false),
    /** Anthropic's {@code POST /v1/messages}, body and answer (events included) in Anthropic's own shape. */
    ANTHROPIC_MESSAGES(true, true);

    private final boolean routed;
    private final boolean streams;

    Operation(boolean routed, boolean streams) {
        this.routed = routed;
        this.streams = streams;
    }

    /** True when the request names a model and is served by one provider chosen by the route stage. */
    public boolean routed() {
        return routed;
    }

    /** True when the caller may ask for the answer as a stream of chunks. */
    public boolean streams() {
        return streams;
    }
}
