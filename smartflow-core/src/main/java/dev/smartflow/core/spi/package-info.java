/**
 * The service-provider interfaces that deployments and later modules implement: {@link dev.smartflow.core.spi.Provider}
 * for each wire protocol, and {@link dev.smartflow.core.spi.SharedState} for shared hot state (with its answers
 * {@link dev.smartflow.core.spi.Reservation}, {@link dev.smartflow.core.spi.BudgetState} and
 * {@link dev.smartflow.core.spi.WindowDecision}).
 */
package dev.smartflow.core.spi;
