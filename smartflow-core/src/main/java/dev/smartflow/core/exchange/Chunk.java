package dev.smartflow.core.exchange;

import java.util.Objects;

/**
 * One event of a streamed answer: the {@code data} payload of a server-sent event (a JSON chunk in the caller's wire
 * shape) and its {@code event} name, empty for the default event type.
 */
public record Chunk(String event, Body data) {
    public Chunk {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(data, "data");
    }

    public static Chunk data(Body data) {
        return new Chunk("", data);
    }
}
