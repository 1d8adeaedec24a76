package dev.smartflow.core.exchange;

import dev.smartflow.core.spi.Provider;
import java.util.Objects;

/**
 * One try at serving a routed call: the provider, the model name it is sent (any routing prefix stripped) and the
 * attempt's number, from 1. Present on the exchange only inside the route loop.
 */
public record Attempt(Provider provider, String model, int number) {
    public static final Attribute<Attempt> KEY = Attribute.of("attempt", Attempt.class);

    public Attempt {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        if (number < 1) {
            throw new IllegalArgumentException("attempt number starts at 1: " + number);
        }
    }
}
