package dev.smartflow.core.budget;

import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.error.RateLimited;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
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
 * the token window refuses still counts as a request. Principals without a key, and keys without limits, pass.
 */
public final class RateLimitStage implements Stage {
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final SharedState state;

    public RateLimitStage(SharedState state) {
        this.state = Objects.requireNonNull(state, "state");
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        VirtualKey key = exchange.principal().key().orElse(null);
        if (key != null && exchange.operation().routed()) {
            if (key.rpmLimit().isPresent()) {
                check("rpm:", key, key.rpmLimit().getAsLong(), 1, RateLimited.Unit.REQUESTS);
            }
            if (key.tpmLimit().isPresent()) {
                check("tpm:", key, key.tpmLimit().getAsLong(), BudgetStage.promptTokens(exchange),
                        RateLimited.Unit.TOKENS);
            }
        }
        return chain.proceed(exchange);
    }

    private void check(String prefix, VirtualKey key, long limit, long cost, RateLimited.Unit unit) {
        WindowDecision decision = state.hit(prefix + key.id().value(), WINDOW, limit, cost);
        if (!decision.admitted()) {
            throw new RateLimited(decision.retryAfter(), unit, limit, decision.remaining());
        }
    }
}
