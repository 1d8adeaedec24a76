package dev.smartflow.core.routing;

import java.util.Objects;
import java.util.Optional;

/**
 * How one provider attempt of a call ended: the target, the status it gave (the upstream's, or 502/504 for a broken
 * connection or a timeout), its error code when it failed, and how long it took.
 */
public record AttemptOutcome(String provider, String model, int status, Optional<String> error, long latencyMicros) {
    public AttemptOutcome {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(error, "error");
    }

    public boolean failed() {
        return error.isPresent();
    }

    /** E.g. {@code openai/gpt-4o: 502 upstream_unavailable in 12 ms}. */
    public String describe() {
        return provider + "/" + model + ": " + status + error.map(e -> " " + e).orElse("") + " in "
                + Math.round(latencyMicros / 1000.0) + " ms";
    }
}
