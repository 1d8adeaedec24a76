package dev.smartflow.core.exchange;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable bag of typed values keyed by {@link Attribute}. Bags are small (a handful of entries), so a flat array
 * with copy-on-write beats a map in both speed and garbage.
 */
public final class Attributes {
    public static final Attributes EMPTY = new Attributes(new Object[0]);

    /** Alternating key, value. */
    private final Object[] entries;

    private Attributes(Object[] entries) {
        this.entries = entries;
    }

    public <T> Optional<T> get(Attribute<T> key) {
        for (int i = 0; i < entries.length; i += 2) {
            if (entries[i] == key) {
                return Optional.of(key.cast(entries[i + 1]));
            }
        }
        return Optional.empty();
    }

    public <T> Attributes with(Attribute<T> key, T value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        for (int i = 0; i < entries.length; i += 2) {
            if (entries[i] == key) {
                Object[] copy = entries.clone();
                copy[i + 1] = value;
                return new Attributes(copy);
            }
        }
        Object[] copy = Arrays.copyOf(entries, entries.length + 2);
        copy[entries.length] = key;
        copy[entries.length + 1] = value;
        return new Attributes(copy);
    }

    public int size() {
        return entries.length / 2;
    }

    @Override
    public String toString() {
        StringBuilder names = new StringBuilder("Attributes[");
        for (int i = 0; i < entries.length; i += 2) {
            names.append(i == 0 ? "" : ", ").append(entries[i]);
        }
        return names.append(']').toString();
    }
}
