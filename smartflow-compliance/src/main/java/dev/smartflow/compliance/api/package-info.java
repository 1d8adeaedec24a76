/**
 * The Compliance API on the compliance service (port 7777): rule-based scan and redaction, the intelligent scan and
 * feedback, and the learning, ML, baseline and persistence views. Errors come in OpenAI's shape.
 */
package dev.smartflow.compliance.api;
