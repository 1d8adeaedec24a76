package dev.smartflow.core.exchange;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The trace a call belongs to: the id of the whole agent run it is part of. One to {@value #MAX_LENGTH} characters of
 * {@code [A-Za-z0-9._:-]}, taken from the caller's {@code x-a2a-trace-id}, else from its W3C {@code traceparent},
 * else made fresh (32 lower-case hex characters, a valid W3C trace id).
 *
 * <p>A trace id an A2A client chose need not be a W3C one ({@code run-42}); {@link #w3c()} gives the 32-hex id to put
 * in a {@code traceparent} sent upstream: the value itself when it is one, else one derived from it (the same for the
 * same value, on every instance).
 */
public record TraceId(String value) {
    /** The longest trace id accepted. */
    public static final int MAX_LENGTH = 128;
    /** The header that carries a run's trace id across hops. */
    public static final String HEADER = "x-a2a-trace-id";

    public TraceId {
        Objects.requireNonNull(value, "value");
        if (!isValid(value)) {
            throw new IllegalArgumentException("a trace id is 1 to " + MAX_LENGTH
                    + " characters of A-Z a-z 0-9 . _ : - (and not 32 zeros)");
        }
    }

    public static TraceId random() {
        return new TraceId(Ids.hex(32));
    }

    /** The trace id of a {@code traceparent} header ({@code 00-<trace>-<span>-<flags>}), or a fresh one. */
    public static TraceId fromTraceparent(String header) {
        if (header != null && header.length() >= 55 && header.charAt(2) == '-' && header.charAt(35) == '-') {
            String candidate = header.substring(3, 35);
            if (isW3c(candidate)) {
                return new TraceId(candidate);
            }
        }
        return random();
    }

    /**
     * The trace of a call from its headers: {@code x-a2a-trace-id} when present, else {@code traceparent}'s trace id,
     * else a fresh one.
     *
     * @throws IllegalArgumentException when {@code a2aTraceId} is present but not a valid trace id
     */
    public static TraceId fromHeaders(String a2aTraceId, String traceparent) {
        if (a2aTraceId != null) {
            if (!isValid(a2aTraceId)) {
                throw new IllegalArgumentException(HEADER + " must be 1 to " + MAX_LENGTH
                        + " characters of A-Z a-z 0-9 . _ : -");
            }
            return new TraceId(a2aTraceId);
        }
        return fromTraceparent(traceparent);
    }

    /** The value as a trace id, when it is one. */
    public static Optional<TraceId> parse(String value) {
        return value != null && isValid(value) ? Optional.of(new TraceId(value)) : Optional.empty();
    }

    /** Whether {@code value} is a valid trace id. */
    public static boolean isValid(String value) {
        int length = value.length();
        if (length == 0 || length > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return length != 32 || !"0".repeat(32).equals(value);
    }

    /** The W3C trace id for a {@code traceparent}: this value when it is one, else 32 hex derived from it. */
    public String w3c() {
        if (isW3c(value)) {
            return value;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
            digest[15] |= 1; // never all zero
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static boolean isW3c(String s) {
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
