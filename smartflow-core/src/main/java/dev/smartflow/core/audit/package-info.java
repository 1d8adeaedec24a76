/**
 * The audit hook: one {@link dev.smartflow.core.spi.AuditRecord} per call, success or failure, handed to
 * {@link dev.smartflow.core.audit.AuditListener}s when the call is over.
 */
package dev.smartflow.core.audit;
