/**
 * The policy library ("Policy Perfect", port 7782) and its evaluation on every call ("Maestro"): policies, ordered
 * presets and their assignments to callers, kept in the {@code Database}; an in-memory snapshot every instance keeps
 * current through the shared state's pub/sub; the pre-call stage that compares each call's text with the caller's
 * policies (embedding similarity, named detectors, an optional LLM judge) and blocks, redacts or logs; and
 * document-to-policy jobs that turn an uploaded PDF, DOCX or text file into suggested policies. {@link
 * dev.smartflow.compliance.policy.PolicyModule} installs it all in the server; {@link
 * dev.smartflow.compliance.policy.PolicyEvaluator} is the entry point for the compliance engine.
 */
package dev.smartflow.compliance.policy;
