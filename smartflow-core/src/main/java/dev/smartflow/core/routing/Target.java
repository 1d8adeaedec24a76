package dev.smartflow.core.routing;

import dev.smartflow.core.spi.Provider;
import java.util.Objects;

/** Where a model name leads: the provider and the model name that provider knows (any routing prefix removed). */
public record Target(Provider provider, String model) {
    public Target {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
    }
}
