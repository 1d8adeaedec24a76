/**
 * What happens to a finding: {@link dev.smartflow.compliance.redact.Redactor} puts its label in its place, and
 * {@link dev.smartflow.compliance.redact.Pseudonymizer} a stable per-tenant placeholder that
 * {@link dev.smartflow.compliance.redact.Restorer} turns back into the value in the answer, streamed answers included.
 */
package dev.smartflow.compliance.redact;
