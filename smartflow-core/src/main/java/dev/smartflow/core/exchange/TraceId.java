package dev.smartflow.core.exchange;

import java.util.Objects;

/** A W3C trace id (32 lower-case hex characters), taken from the caller's {@code traceparent} or made fresh. */
public record TraceId(String value) {
    public TraceId {
        Objects.requireNonNull(value, "value");
        if (!isTraceId(value)) {
            throw new IllegalArgumentException("trace id must be 32 lower-case hex characters, not all zero");
        }
    }

    public static TraceId random() {
        return new TraceId(Ids.hex(32));
    }

    /** The trace id of a {@code traceparent} header ({@code 00-<trace>-<span>-<flags>}), or a fresh one. */
    public static TraceId fromTraceparent(String header) {
        if (header != null && header.length() >= 55 && header.charAt(2) == '-' && header.charAt(35) == '-') {
            String candidate = header.substring(3, 35);
            if (isTraceId(candidate)) {
                return new TraceId(candidate);
            }
        }
        return random();
    }

    private static boolean isTraceId(String s) {
        if (s.length() != 32) {
            return false;
        }
        boolean nonZero = false;
        for (int i = 0; i < 32; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
            nonZero |= c != '0';
        }
        return nonZero;
    }

    @Override
    public String toString() {
        return value;
    }
}
