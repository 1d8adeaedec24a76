package dev.smartflow.core.error;

import dev.smartflow.core.exchange.Headers;
import java.util.Objects;

/**
 * Shared state (Redis, for a deployment of several instances) did not answer in time or cannot be reached: HTTP 503,
 * type {@code server_error}, code {@value #CODE}, with {@code Retry-After: 1}. A
 * {@link dev.smartflow.core.spi.SharedState} throws it for every failure of its backing store, so callers never see a
 * client library's exceptions; what a feature does with it is its outage policy (budgets and rate limits refuse the
 * call by default, or count it in the instance itself, see {@code dev.smartflow.core.budget.OutageMode}).
 *
 * <p>The message says what failed (a timeout, no connection) and never carries the store's address or credentials.
 */
public final class StateUnavailable extends SmartflowException {
    public static final String CODE = "state_unavailable";
    /** Seconds a refused caller is told to wait: an instance reconnects and notices within about a second. */
    static final String RETRY_AFTER_SECONDS = "1";

    private final String reason;

    /**
     * @param reason what failed, e.g. {@code "Redis did not answer within 500ms"}; no address, no credentials
     * @param cause  the store client's own exception, kept for the log; may be null
     */
    public StateUnavailable(String reason, Throwable cause) {
        super("shared state is unreachable (" + Objects.requireNonNull(reason, "reason") + "); retry shortly", CODE,
                null, cause);
        this.reason = reason;
    }

    /** What failed, as given: {@code "Redis did not answer within 500ms"}. */
    public String reason() {
        return reason;
    }

    @Override
    public Headers headers() {
        return Headers.of("retry-after", RETRY_AFTER_SECONDS);
    }

    @Override
    public int status() {
        return 503;
    }

    @Override
    public String type() {
        return "server_error";
    }
}
