package dev.smartflow.core.exchange;

import java.util.Objects;

/** Identifies one call end to end: response header {@code x-smartflow-request-id}, audit record, logs. */
public record RequestId(String value) {
    public RequestId {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("request id must not be empty");
        }
    }

    /**
     * A fresh id, {@code req_} and 24 hex digits: the wall-clock millisecond, then 48 random bits. Ids made later sort
     * later, so the audit log's unique index on them grows at its end instead of at random places: a database appends
     * to one page rather than rewriting a random one per call.
     */
    public static RequestId random() {
        return new RequestId("req_" + Ids.timeOrderedHex());
    }

    /** The caller's {@code x-request-id} when it is a plain token of at most 128 characters, else a fresh id. */
    public static RequestId fromHeader(String header) {
        return Ids.safe(header, 128) ? new RequestId(header) : random();
    }

    @Override
    public String toString() {
        return value;
    }
}
