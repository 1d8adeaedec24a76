/**
 * Spend limits for virtual keys: {@link dev.smartflow.core.budget.RateLimitStage} (requests and tokens per minute),
 * {@link dev.smartflow.core.budget.BudgetStage} (a budget per period that is never overspent: a worst-case cost is
 * reserved before the call and settled with the actual cost after it) and {@link dev.smartflow.core.budget.Budgets}
 * (period keys, durable spend, and the admin view of a key's budget). {@link dev.smartflow.core.budget.SpendListener}s
 * learn each key's period spend behind the request, for metrics and alerts.
 */
package dev.smartflow.core.budget;
