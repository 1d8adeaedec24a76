package dev.smartflow.compliance.redact;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The placeholders one call sent to its provider and the values they stand for. Held on the exchange, never stored
 * or logged: {@link #toString()} counts, it never shows. Safe to read while the request side still writes.
 */
public final class Vault {
    private final Map<String, String> values = new ConcurrentHashMap<>();

    void remember(String placeholder, String value) {
        values.putIfAbsent(placeholder, value);
    }

    /** The value {@code placeholder} stands for. */
    public Optional<String> value(String placeholder) {
        return Optional.ofNullable(values.get(placeholder));
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public int size() {
        return values.size();
    }

    @Override
    public String toString() {
        return "Vault[" + values.size() + " placeholders]";
    }
}
