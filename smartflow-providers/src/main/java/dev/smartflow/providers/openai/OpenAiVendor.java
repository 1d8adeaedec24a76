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
 */
record OpenAiVendor(String name, Optional<String> defaultBase, boolean needsKey, boolean azure) {
    static final String AZURE_DEFAULT_API_VERSION = "2024-10-21";

    /** OpenAI first; the order of {@link OpenAiProvider#vendors()}. */
    static final List<OpenAiVendor> ALL = List.of(
            hosted("openai", "https://api.openai.com/v1"),
            new OpenAiVendor("azure", Optional.empty(), true, true),
            hosted("xai", "https://api.x.ai/v1"),
            hosted("mistral", "https://api.mistral.ai/v1"),
            hosted("groq", "https://api.groq.com/openai/v1"),
            hosted("openrouter", "https://openrouter.ai/api/v1"),
            hosted("together", "https://api.together.xyz/v1"),
            hosted("fireworks", "https://api.fireworks.ai/inference/v1"),
            hosted("perplexity", "https://api.perplexity.ai"),
            hosted("nvidia_nim", "https://integrate.api.nvidia.com/v1"),
            hosted("huggingface", "https://router.huggingface.co/v1"),
            hosted("novita", "https://api.novita.ai/v3/openai"),
            hosted("vercel_ai_gateway", "https://ai-gateway.vercel.sh/v1"),
            hosted("deepinfra", "https://api.deepinfra.com/v1/openai"),
            new OpenAiVendor("ollama", Optional.of("http://localhost:11434/v1"), false, false));

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
        return new OpenAiVendor(name, Optional.empty(), false, false);
    }

    private static OpenAiVendor hosted(String name, String base) {
        return new OpenAiVendor(name, Optional.of(base), true, false);
    }
}
