package dev.smartflow.core.alerts;

/** What raised an {@link Alert}. */
public enum AlertType {
    /** A virtual key or a provider reached a configured percentage of its budget for the period. */
    BUDGET_THRESHOLD("BudgetThreshold"),
    /** A provider's error rate over the sliding window went above the threshold. */
    PROVIDER_FAILURE("ProviderFailure"),
    /** A call took longer than the latency threshold. */
    SLOW_REQUEST("SlowRequest"),
    /** Sent by an operator or an application ({@code POST /api/alerts}). */
    CUSTOM("Custom");

    private final String label;

    AlertType(String label) {
        this.label = label;
    }

    /** The name people read in a message, e.g. {@code BudgetThreshold}. */
    public String label() {
        return label;
    }
}
