package dev.smartflow.providers.openai;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An API that speaks OpenAI's wire protocol: its routing name, default base URL and how it takes its key.
 *
 * @param name        the routing name, also the prefix of its environment variables when upper-cased
 * @param defaultBase the public endpoint; empty where each customer has their own (Azure)
 * @param needsKey    false for local servers that take calls without a key (Ollama)
 * @param azure       Azure OpenAI's dialect: deployment in the path, {@code api-version} query, {@code api-key} header
 * @param streamUsage whether the API takes {@code stream_options.include_usage} on a streamed chat request and then
 *                    ends the stream with a usage chunk; false where it rejects the field (Mistral answers 422) or
 *                    nothing says it takes it (servers a deployment declares itself)
 */
record OpenAiVendor(String name, Optional<String> defaultBase, boolean needsKey, boolean azure, boolean streamUsage) {
    static final String AZURE_DEFAULT_API_VERSION = "2024-10-21";
    private static final boolean STREAM_USAGE = true;

    /** OpenAI first; the order of {@link OpenAiProvider#vendors()}. */
    static final List<OpenAiVendor> ALL = List.of(
            hosted("openai", "https://api.openai.com/v1", STREAM_USAGE),
            new OpenAiVendor("azure", Optional.empty(), true, true, STREAM_USAGE),
            hosted("xai", "https://api.x.ai/v1", STREAM_USAGE),
            // Mistral rejects stream_options ("extra_forbidden"), but puts usage on its last chunk unasked.
            hosted("mistral", "https://api.mistral.ai/v1", false),
            hosted("groq", "https://api.groq.com/openai/v1", STREAM_USAGE),
            hosted("openrouter", "https://openrouter.ai/api/v1", STREAM_USAGE),
            hosted("together", "https://api.together.xyz/v1", STREAM_USAGE),
            hosted("fireworks", "https://api.fireworks.ai/inference/v1", STREAM_USAGE),
            hosted("perplexity", "https://api.perplexity.ai", false),
            hosted("nvidia_nim", "https://integrate.api.nvidia.com/v1", false),
            hosted("huggingface", "https://router.huggingface.co/v1", false),
            hosted("novita", "https://api.novita.ai/v3/openai", false),
            hosted("vercel_ai_gateway", "https://ai-gateway.vercel.sh/v1", false),
            hosted("deepinfra", "https://api.deepinfra.com/v1/openai", STREAM_USAGE),
            new OpenAiVendor("ollama", Optional.of("http://localhost:11434/v1"), false, false, false));

    OpenAiVendor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultBase, "defaultBase");
    }

    /**
     * A vendor of ours, or else a server the deployment names itself (a vLLM or LiteLLM in the data centre, say),
     * which must be given a base URL and may do without a key.
     */
    static OpenAiVendor named(String name) {
        for (OpenAiVendor vendor : ALL) {
            if (vendor.name.equals(name)) {
                return vendor;
            }
        }
        return new OpenAiVendor(name, Optional.empty(), false, false, false);
    }

    /**
     * Where the vendor serves {@code audio/transcriptions} for {@code model} when that is not its API base (Fireworks
     * runs its Whisper models on hosts of their own); empty where the API base serves it.
     */
    Optional<String> transcriptionBase(String model) {
        if (!name.equals("fireworks")) {
            return Optional.empty();
        }
        return Optional.of(model.contains("turbo") ? "https://audio-turbo.api.fireworks.ai/v1"
                : "https://audio-prod.api.fireworks.ai/v1");
    }

    private static OpenAiVendor hosted(String name, String base, boolean streamUsage) {
        return new OpenAiVendor(name, Optional.of(base), true, false, streamUsage);
    }
}
