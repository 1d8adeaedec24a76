package dev.smartflow.core.spi;

import java.util.Map;
import java.util.Objects;

/** The rule every text of the vector-store records follows; see {@link VectorStoreRecords#requireStorable}. */
final class StorableText {
    private StorableText() {
    }

    /**
     * Refuses text that databases keep differently or not at all: NUL (PostgreSQL's text cannot hold it) and unpaired
     * surrogates. Whoever takes text from callers replaces or refuses those first.
     */
    static String require(String text, String name) {
        Objects.requireNonNull(text, name);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException(name + " holds a NUL character");
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(name + " holds an unpaired surrogate");
            }
        }
        return text;
    }

    static Map<String, String> map(Map<String, String> map, String name) {
        Map<String, String> copy = Map.copyOf(Objects.requireNonNull(map, name));
        copy.forEach((key, value) -> {
            require(key, name);
            require(value, name);
        });
        return copy;
    }
}
