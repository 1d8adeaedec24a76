package dev.smartflow.core.spi;

import java.util.Objects;

/**
 * Identifies a virtual key: stable, not secret, and safe to log, unlike the key's token (which is never stored; only
 * its hash is, see {@link VirtualKey#tokenHash()}).
 *
 * @param value the id, e.g. {@code key_01JD3...}; not blank
 */
public record KeyId(String value) {
    public KeyId {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("a key id is not blank");
        }
    }

    public static KeyId of(String value) {
        return new KeyId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
