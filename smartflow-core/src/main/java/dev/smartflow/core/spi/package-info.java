/**
 * The service-provider interfaces that deployments and later modules implement: {@link dev.smartflow.core.spi.Provider}
 * for each wire protocol, {@link dev.smartflow.core.spi.SharedState} for shared hot state (with its answers
 * {@link dev.smartflow.core.spi.Reservation}, {@link dev.smartflow.core.spi.BudgetState} and
 * {@link dev.smartflow.core.spi.WindowDecision}), and {@link dev.smartflow.core.spi.Database} for durable records: its
 * {@link dev.smartflow.core.spi.KeyStore} of {@link dev.smartflow.core.spi.VirtualKey}s and their spend, and its
 * {@link dev.smartflow.core.spi.AuditLog} of {@link dev.smartflow.core.spi.AuditRecord}s, read back as pages, an
 * {@link dev.smartflow.core.spi.AuditSummary} or {@link dev.smartflow.core.spi.AuditAnalytics}.
 */
package dev.smartflow.core.spi;
