package dev.smartflow.client;

import java.util.Optional;

/**
 * The provider failed: 502 (an upstream error or broken connection), 503 (a fallback chain exhausted, or the gateway
 * too busy) or 504 (the upstream timed out). {@link #provider()} is the provider the gateway last tried, when it said.
 */
public final class ProviderException extends SmartflowException {
    private final String provider;

    ProviderException(String message, int status, String type, String code, String requestId, String provider) {
        super(message, status, type, code, null, requestId, null);
        this.provider = provider;
    }

    public Optional<String> provider() {
        return Optional.ofNullable(provider);
    }
}
