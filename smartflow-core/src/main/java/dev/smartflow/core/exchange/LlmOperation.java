package dev.smartflow.core.exchange;

/**
 * The model endpoints: each maps to one endpoint of the OpenAI-compatible surface, except {@link #ANTHROPIC_MESSAGES}
 * (and its token count), whose body and answer are in Anthropic's Messages shape. Every one but {@link #MODELS} is
 * routed to a provider.
 */
public enum LlmOperation implements Operation {
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

    LlmOperation(boolean routed, boolean streams, String path) {
        this.routed = routed;
        this.streams = streams;
        this.path = path;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public boolean routed() {
        return routed;
    }

    @Override
    public boolean streams() {
        return streams;
    }

    /** Every routed operation except {@link #ANTHROPIC_COUNT_TOKENS}, which Anthropic serves free of charge. */
    @Override
    public boolean billed() {
        return routed && this != ANTHROPIC_COUNT_TOKENS;
    }
}
