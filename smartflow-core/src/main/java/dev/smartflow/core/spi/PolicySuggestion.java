package dev.smartflow.core.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * A policy a document job proposes, for an operator to accept (which creates a live {@link Policy}) or ignore.
 *
 * @param jobId                 the job that found it
 * @param id                    its id, unique within the job; not blank
 * @param position              its place in the job's list (the order it was found in)
 * @param name                  a display name; not blank
 * @param type                  the kind of policy proposed
 * @param content               the proposed rule text; not blank
 * @param priority              the proposed priority, 0 to 100
 * @param regulatoryFramework   the framework the text comes from, when it names one
 * @param confidence            how sure the model was, 0 to 1
 * @param acceptedPolicyId      the policy made from it, once accepted
 */
public record PolicySuggestion(String jobId, String id, int position, String name, Policy.Type type, String content,
                               int priority, Optional<String> regulatoryFramework, double confidence,
                               Optional<String> acceptedPolicyId) {
    public PolicySuggestion {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(content, "content");
        if (id.isBlank() || name.isBlank() || content.isBlank()) {
            throw new IllegalArgumentException("a suggestion's id, name and content are not blank");
        }
        if (priority < Policy.MIN_PRIORITY || priority > Policy.MAX_PRIORITY) {
            throw new IllegalArgumentException("priority is 0 to 100, not " + priority);
        }
        Objects.requireNonNull(regulatoryFramework, "regulatoryFramework");
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence is 0 to 1, not " + confidence);
        }
        Objects.requireNonNull(acceptedPolicyId, "acceptedPolicyId");
    }

    /** This suggestion, accepted as the policy {@code policyId}. */
    public PolicySuggestion accepted(String policyId) {
        return new PolicySuggestion(jobId, id, position, name, type, content, priority, regulatoryFramework,
                confidence, Optional.of(policyId));
    }
}
