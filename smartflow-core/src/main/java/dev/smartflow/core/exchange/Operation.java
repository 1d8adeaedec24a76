package dev.smartflow.core.exchange;

/**
 * What a call asks for. Each operation maps to one endpoint of the OpenAI-compatible surface, except
 * {@link #ANTHROPIC_MESSAGES}, whose body and answer are in Anthropic's Messages shape.
 */
public enum Operation {
    CHAT(true, true, "/v1/chat/completions"),
    COMPLETIONS(true, true, "/v1/completions"),
    EMBEDDINGS(true, false, "/v1/embeddings"),
    MODELS(false, false, "/v1/models"),
    /** {@code POST /v1/images/generations}. */
    IMAGES(true, false, "/v1/images/generations"),
    /**
     * {@code POST /v1/audio/transcriptions}: the body holds the form's text fields as JSON; the audio itself travels
     * beside it as an exchange attribute, never in memory whole.
     */
    TRANSCRIPTIONS(true, false, "/v1/audio/transcriptions"),
    /** {@code POST /v1/audio/speech}: the answer is audio bytes, relayed as they arrive. */
    SPEECH(true, false, "/v1/audio/speech"),
    /** {@code POST /v1/rerank}, Cohere's request and answer shape. */
    RERANK(true, false, "/v1/rerank"),
    /** Anthropic's {@code POST /v1/messages}, body and answer (events included) in Anthropic's own shape. */
    ANTHROPIC_MESSAGES(true, true, "/anthropic/v1/messages"),
    /** Anthropic's {@code POST /v1/messages/count_tokens}: free, so never priced or held against a budget. */
    ANTHROPIC_COUNT_TOKENS(true, false, "/anthropic/v1/messages/count_tokens");

    private final boolean routed;
    private final boolean streams;
    private final String path;

    Operation(boolean routed, boolean streams, String path) {
        this.routed = routed;
        this.streams = streams;
        this.path = path;
    }

    /** The proxy route that serves it, e.g. {@code /v1/chat/completions}: how the audit log names the route. */
    public String path() {
        return path;
    }

    /** True when the request names a model and is served by one provider chosen by the route stage. */
    public boolean routed() {
        return routed;
    }

    /** True when the caller may ask for the answer as a stream of chunks. */
    public boolean streams() {
        return streams;
    }

    /**
     * True when the upstream charges for the call, so that the cost stage prices it and budgets hold it: every routed
     * operation except {@link #ANTHROPIC_COUNT_TOKENS}, which Anthropic serves free of charge.
     */
    public boolean billed() {
        return routed && this != ANTHROPIC_COUNT_TOKENS;
    }
}
