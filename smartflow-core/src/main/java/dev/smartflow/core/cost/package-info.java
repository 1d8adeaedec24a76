/**
 * What calls cost: {@link dev.smartflow.core.cost.Pricing} (the prices, implemented by the providers' model catalog),
 * {@link dev.smartflow.core.cost.TokenPrice} (exact integer arithmetic), {@link dev.smartflow.core.cost.CostStage}
 * (prices each provider attempt from its reported usage) and {@link dev.smartflow.core.cost.CostMeter} (where a
 * stream's cost lands once its last chunk has passed).
 */
package dev.smartflow.core.cost;
