package dev.smartflow.providers;

import java.util.Objects;
import java.util.Optional;

/**
 * One line of a registry's {@link ProviderRegistry#describe() description}, for a startup log: never a secret.
 *
 * @param name      the routing name
 * @param available true when the provider takes calls
 * @param apiBase   where its calls go, without user info or query; empty when unknown or not configured
 */
public record ProviderStatus(String name, boolean available, Optional<String> apiBase) {
    public ProviderStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(apiBase, "apiBase");
    }

    @Override
    public String toString() {
        return name + (available ? "" : " (not configured)") + apiBase.map(base -> " " + base).orElse("");
    }
}
