package dev.smartflow.core.routing;

import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.exchange.Headers;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every target a call could try failed, or none could be tried (circuits open, a forced provider not in the plan): a
 * 503 {@code chain_exhausted} whose message lists each attempt (target, status, time), never a key or a URL.
 */
public final class ChainExhausted extends GatewayError {
    private final List<AttemptOutcome> attempts;

    ChainExhausted(String requested, List<AttemptOutcome> attempts, String whyNoMore) {
        super(503, "server_error", "chain_exhausted", message(requested, attempts, whyNoMore), null, Headers.EMPTY,
                null);
        this.attempts = List.copyOf(attempts);
    }

    /** The attempts made, in order. */
    public List<AttemptOutcome> attempts() {
        return attempts;
    }

    private static String message(String requested, List<AttemptOutcome> attempts, String whyNoMore) {
        String shown = requested.length() > 100 ? requested.substring(0, 100) + "..." : requested;
        if (attempts.isEmpty()) {
            return "no provider is available for '" + shown + "': " + whyNoMore;
        }
        return "every attempt for '" + shown + "' failed (" + attempts.stream().map(AttemptOutcome::describe)
                .collect(Collectors.joining("; ")) + ")" + (whyNoMore.isEmpty() ? "" : "; " + whyNoMore);
    }
}
