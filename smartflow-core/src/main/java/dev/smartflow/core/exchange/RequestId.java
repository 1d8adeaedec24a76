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

    public static RequestId random() {
        return new RequestId("req_" + Ids.hex(24));
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
