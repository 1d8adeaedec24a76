package dev.smartflow.compliance.policy;

import dev.smartflow.core.exchange.Attribute;

/**
 * Marks a call the gateway makes through its own pipeline for the policy library (an LLM judge's verdict, a document's
 * suggested policies), so that compliance stages do not evaluate it as a caller's request: the judge's prompt quotes
 * the text under judgement, and a compliance handbook reads like everything its policies forbid.
 */
public enum InternalCall {
    /** The LLM judge asking whether a request breaks a policy. */
    JUDGE,
    /** A document job asking for the policies a document describes. */
    SUGGESTIONS;

    public static final Attribute<InternalCall> KEY = Attribute.of("policy.internal-call", InternalCall.class);
}
