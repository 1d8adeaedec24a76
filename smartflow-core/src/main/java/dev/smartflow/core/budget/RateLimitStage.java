package dev.smartflow.core.budget;

import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.error.RateLimited;
import dev.smartflow.core.error.StateUnavailable;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.core.spi.WindowDecision;
import java.time.Duration;
import java.util.Objects;

/**
 * Enforces a virtual key's {@code rpm_limit} and {@code tpm_limit} over sliding one-minute windows in
 * {@link SharedState} ({@code rpm:<key id>}, {@code tpm:<key id>}), so every instance sharing the state shares the
 * limit. Over a limit, the call fails with {@link RateLimited} before anything upstream sees it.
 *
 * <p>Tokens are counted before the call, so they are an estimate: the request body's bytes / 4, rounded up (about
 * four bytes of JSON per token), without the completion. The request window is checked first; a call it admits and
 * the token window refuses still counts as a request. A module's billed operation (an MCP tool call, say) counts
 * against {@code rpm_limit} only. Principals without a key, and keys without limits, pass.
 *
 * <p><b>Outages.</b> While shared state is unreachable, {@link OutageMode#CLOSED} (the default) refuses limited calls
 * with its {@link StateUnavailable} (503); {@link OutageMode#OPEN} counts them in windows of this instance's own until
 * shared state answers again, so each instance enforces the whole limit on its own meanwhile.
 */
public final class RateLimitStage implements Stage {
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final SharedState state;
    private final OutageMode onOutage;
    /** The windows of {@link OutageMode#OPEN} during an outage; absent when closed. */
    private final SharedState local;
    private final OutageNotice notice = new OutageNotice("rate limits");

    /** Refuses limited calls while shared state is unreachable. */
    public RateLimitStage(SharedState state) {
        this(state, OutageMode.CLOSED);
    }

    public RateLimitStage(SharedState state, OutageMode onOutage) {
        this.state = Objects.requireNonNull(state, "state");
        this.onOutage = Objects.requireNonNull(onOutage, "onOutage");
        this.local = onOutage == OutageMode.OPEN ? new InMemorySharedState() : null;
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        VirtualKey key = exchange.principal().key().orElse(null);
        boolean routed = exchange.operation().routed();
        // a module's billed operation (an MCP tool call) is a request too; its body is not a prompt, so no tokens
        if (key != null && (routed || exchange.operation().billed())) {
            if (key.rpmLimit().isPresent()) {
                check("rpm:", key, key.rpmLimit().getAsLong(), 1, RateLimited.Unit.REQUESTS);
            }
            if (routed && key.tpmLimit().isPresent()) {
                check("tpm:", key, key.tpmLimit().getAsLong(), BudgetStage.promptTokens(exchange),
                        RateLimited.Unit.TOKENS);
            }
        }
        return chain.proceed(exchange);
    }

    private void check(String prefix, VirtualKey key, long limit, long cost, RateLimited.Unit unit) {
        WindowDecision decision = hit(prefix + key.id().value(), limit, cost);
        if (!decision.admitted()) {
            throw new RateLimited(decision.retryAfter(), unit, limit, decision.remaining());
        }
    }

    private WindowDecision hit(String window, long limit, long cost) {
        if (onOutage == OutageMode.CLOSED) {
            return state.hit(window, WINDOW, limit, cost);
        }
        try {
            WindowDecision decision = state.hit(window, WINDOW, limit, cost);
            notice.sharedAgain();
            return decision;
        } catch (StateUnavailable e) {
            notice.countingLocally(e);
            return local.hit(window, WINDOW, limit, cost);
        }
    }
}
