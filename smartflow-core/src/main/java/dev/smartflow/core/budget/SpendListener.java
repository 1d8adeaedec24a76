package dev.smartflow.core.budget;

/**
 * Told what a virtual key has spent in its current budget period: after calls settle against the budget, and when
 * the period is reset. Metrics (the {@code smartflow_vkey_spend_usd} gauge) and alerts (budget thresholds) listen
 * here. Registered with {@link dev.smartflow.core.Smartflow.Builder#addSpendListener} or passed to {@link Budgets}.
 *
 * <pre>{@code
 * Smartflow smartflow = Smartflow.builder().resolver(registry).sharedState(state).keyStore(keys)
 *         .addSpendListener(spend -> spend.fraction().ifPresent(f -> dashboard.show(spend.keyId(), f)))
 *         .build();
 * }</pre>
 *
 * <p><b>When.</b> Not on the request's thread: settling a call only notes that the key's budget changed, and the
 * background writer that moves spend to the durable store (once a second) reads each changed budget's total from
 * shared state and tells the listeners, once per key and period however many calls settled in between. So a
 * notification lags the call by up to that interval, costs the request nothing, and carries the total as shared state
 * holds it (all instances' calls included). {@link Budgets#reset} tells the listeners at once, with zero spent.
 *
 * <p>Calls come from one thread at a time per {@link Budgets} instance. A listener that throws is logged and ignored.
 */
@FunctionalInterface
public interface SpendListener {
    void onSpend(KeySpend spend);
}
