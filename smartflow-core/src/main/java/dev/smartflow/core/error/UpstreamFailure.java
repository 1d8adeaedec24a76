package dev.smartflow.core.error;

import dev.smartflow.core.exchange.Headers;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A provider failed to serve the call. The caller sees the upstream's own status for client errors it can act on
 * (400, 401, 403, 404, 409, 413, 422, 429), 502 for upstream server errors, broken connections and unreadable answers,
 * and 504 when the upstream did not answer in time.
 *
 * <p>{@link #retryable()} tells the route stage whether another attempt (same provider or a fallback) may succeed.
 */
public final class UpstreamFailure extends SmartflowException {
    private final String provider;
    private final int upstreamStatus;
    private final int status;
    private final String type;
    private final Duration retryAfter;

    private UpstreamFailure(String provider, int upstreamStatus, int status, String type, String message, String code,
                            Throwable cause, Duration retryAfter) {
        super(message, code, null, cause);
        this.provider = Objects.requireNonNull(provider, "provider");
        this.upstreamStatus = upstreamStatus;
        this.status = status;
        this.type = Objects.requireNonNull(type, "type");
        this.retryAfter = retryAfter;
    }

    private UpstreamFailure(String provider, int upstreamStatus, int status, String type, String message, String code,
                            Throwable cause) {
        this(provider, upstreamStatus, status, type, message, code, cause, null);
    }

    /** The same failure, with how long the upstream asked callers to wait ({@code Retry-After}). */
    public UpstreamFailure withRetryAfter(Optional<Duration> wait) {
        return wait.map(w -> new UpstreamFailure(provider, upstreamStatus, status, type, getMessage(),
                code().orElse(null), getCause(), w)).orElse(this);
    }

    /** How long the upstream asked callers to wait before trying again, when it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** A 429 passes the upstream's {@code Retry-After} on to the caller, in whole seconds. */
    @Override
    public Headers headers() {
        if (retryAfter == null || status != 429) {
            return Headers.EMPTY;
        }
        long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        return Headers.of("retry-after", Long.toString(seconds));
    }

    /**
     * The upstream answered with an error status. {@code message}, {@code type} and {@code code} come from its error
     * body when it had one.
     */
    public static UpstreamFailure status(String provider, int upstreamStatus, String message, String type,
                                         String code) {
        int status = passesThrough(upstreamStatus) ? upstreamStatus : 502;
        String errorType = type != null ? type : status == 502 ? "upstream_error" : "invalid_request_error";
        String text = provider + " returned HTTP " + upstreamStatus + (message == null ? "" : ": " + message);
        return new UpstreamFailure(provider, upstreamStatus, status, errorType, text, code, null);
    }

    /** The upstream did not answer within its deadline. */
    public static UpstreamFailure timeout(String provider, Throwable cause) {
        return new UpstreamFailure(provider, 0, 504, "timeout_error", provider + " did not answer in time",
                "upstream_timeout", cause);
    }

    /** The connection failed or the answer could not be read. */
    public static UpstreamFailure io(String provider, String what, Throwable cause) {
        return new UpstreamFailure(provider, 0, 502, "upstream_error", provider + ": " + what, "upstream_unavailable",
                cause);
    }

    private static boolean passesThrough(int upstreamStatus) {
        return switch (upstreamStatus) {
            case 400, 401, 403, 404, 409, 413, 422, 429 -> true;
            default -> false;
        };
    }

    public String provider() {
        return provider;
    }

    /** The HTTP status the upstream sent, if it sent one. */
    public OptionalInt upstreamStatus() {
        return upstreamStatus == 0 ? OptionalInt.empty() : OptionalInt.of(upstreamStatus);
    }

    /** True when a later attempt may succeed: rate limits, server errors, timeouts and broken connections. */
    public boolean retryable() {
        return upstreamStatus == 0 || upstreamStatus == 408 || upstreamStatus == 429 || upstreamStatus >= 500;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public String type() {
        return type;
    }
}
