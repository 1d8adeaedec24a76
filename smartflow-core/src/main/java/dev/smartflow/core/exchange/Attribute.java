package dev.smartflow.core.exchange;

import java.util.Objects;

/**
 * A typed key for {@link Attributes}: how one stage hands a value to a later one. Keys compare by identity, so declare
 * each once as a constant.
 *
 * <pre>{@code
 * static final Attribute<Attempt> ATTEMPT = Attribute.of("attempt", Attempt.class);
 * }</pre>
 */
public final class Attribute<T> {
    private final String name;
    private final Class<T> type;

    private Attribute(String name, Class<T> type) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
    }

    public static <T> Attribute<T> of(String name, Class<T> type) {
        return new Attribute<>(name, type);
    }

    public String name() {
        return name;
    }

    /** {@code value} as this key's type. */
    public T cast(Object value) {
        return type.cast(value);
    }

    @Override
    public String toString() {
        return name;
    }
}
