/**
 * Alerts to Slack, Microsoft Teams and Discord webhooks: {@link dev.smartflow.core.alerts.Alerts} runs the
 * BudgetThreshold, ProviderFailure and SlowRequest rules on the audit and budget hooks and sends
 * {@link dev.smartflow.core.alerts.Alert}s (custom ones too) through {@link dev.smartflow.core.alerts.AlertChannel}s,
 * fire-and-forget on a bounded pool, with duplicates suppressed for a window.
 */
package dev.smartflow.core.alerts;
