package dev.smartflow.core.routing;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.spi.Provider;
import java.util.List;

/**
 * Turns a requested model name into a provider and upstream model. Thread-safe and cheap: called for every routed call.
 *
 * <pre>{@code
 * Target target = resolver.resolve("groq/llama-3.3-70b-versatile"); // groq, "llama-3.3-70b-versatile"
 * }</pre>
 */
public interface ModelResolver {
    /**
     * @throws dev.smartflow.core.error.InvalidRequest when no configured provider can serve {@code model}; the message
     *                                                 says why (unknown prefix, provider not configured, unknown name)
     */
    Target resolve(String model);

    /**
     * Where a fallback chain's target leads: its provider, with its own API base and key when it names them. The
     * default resolves {@code provider/model} and serves no overrides.
     *
     * @throws InvalidRequest when the provider is not configured, or the target names an
     *                                                 override this resolver cannot serve
     */
    default Target resolve(ChainTarget target) {
        if (target.apiBase().isPresent() || target.apiKeyEnv().isPresent()) {
            throw new InvalidRequest("this resolver serves no API base or key overrides",
                    "invalid_request", "model");
        }
        return resolve(target.provider() + "/" + target.model());
    }

    /** The providers that can take calls, in a stable order. */
    List<Provider> available();
}
