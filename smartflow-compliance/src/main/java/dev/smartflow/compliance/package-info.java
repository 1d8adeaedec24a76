/**
 * Compliance: recognizers that find personal data and secrets, redaction and reversible pseudonymisation, the
 * similarity and behaviour layers, the pre- and post-call stages, the Compliance API and the policy library.
 */
package dev.smartflow.compliance;
