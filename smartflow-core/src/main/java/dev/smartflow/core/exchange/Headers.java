package dev.smartflow.core.exchange;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Immutable HTTP headers: names are case-insensitive (stored lower-case), order is kept, a name may repeat.
 *
 * <p>{@link #toString()} masks credentials ({@code authorization}, {@code x-api-key}, {@code api-key}, cookies), so a
 * {@code Headers} may be logged.
 */
public final class Headers {
    public static final Headers EMPTY = new Headers(new String[0]);

    /** Alternating lower-case name, value. */
    private final String[] pairs;

    private Headers(String[] pairs) {
        this.pairs = pairs;
    }

    /** Headers from alternating names and values: {@code Headers.of("content-type", "application/json")}. */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("expected name, value pairs");
        }
        String[] pairs = namesAndValues.clone();
        for (int i = 0; i < pairs.length; i += 2) {
            pairs[i] = name(pairs[i]);
            pairs[i + 1] = value(pairs[i + 1]);
        }
        return new Headers(pairs);
    }

    /** The first value of {@code name}. */
    public Optional<String> get(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(lower)) {
                return Optional.of(pairs[i + 1]);
            }
        }
        return Optional.empty();
    }

    /** These headers plus {@code name: value}, replacing any earlier values of {@code name}. */
    public Headers with(String name, String value) {
        String lower = name(name);
        String checked = value(value);
        int kept = 0;
        String[] copy = new String[pairs.length + 2];
        for (int i = 0; i < pairs.length; i += 2) {
            if (!pairs[i].equals(lower)) {
                copy[kept++] = pairs[i];
                copy[kept++] = pairs[i + 1];
            }
        }
        copy[kept++] = lower;
        copy[kept++] = checked;
        return new Headers(kept == copy.length ? copy : Arrays.copyOf(copy, kept));
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < pairs.length; i += 2) {
            action.accept(pairs[i], pairs[i + 1]);
        }
    }

    public int size() {
        return pairs.length / 2;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Headers other && Arrays.equals(pairs, other.pairs);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(pairs);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("Headers[");
        for (int i = 0; i < pairs.length; i += 2) {
            out.append(i == 0 ? "" : ", ").append(pairs[i]).append('=')
                    .append(secret(pairs[i]) ? "██" : pairs[i + 1]);
        }
        return out.append(']').toString();
    }

    private static boolean secret(String lowerName) {
        return switch (lowerName) {
            case "authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie" -> true;
            default -> false;
        };
    }

    private static String name(String name) {
        Objects.requireNonNull(name, "header name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("header name must not be empty");
        }
        checkNoLineBreak(name, "header name");
        return name.toLowerCase(Locale.ROOT);
    }

    private static String value(String value) {
        Objects.requireNonNull(value, "header value");
        checkNoLineBreak(value, "header value");
        return value;
    }

    private static void checkNoLineBreak(String s, String what) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n') {
                throw new IllegalArgumentException(what + " must not contain a line break");
            }
        }
    }
}
