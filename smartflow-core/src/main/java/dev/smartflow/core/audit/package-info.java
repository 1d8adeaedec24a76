/**
 * The audit hook: one {@link dev.smartflow.core.spi.AuditRecord} per call, success or failure, handed to
 * {@link dev.smartflow.core.audit.AuditListener}s when the call is over; and
 * {@link dev.smartflow.core.audit.AuditWriter}, the listener that writes them to the durable
 * {@link dev.smartflow.core.spi.AuditLog} in batches, spilling to disk when the store cannot keep up.
 */
package dev.smartflow.core.audit;
