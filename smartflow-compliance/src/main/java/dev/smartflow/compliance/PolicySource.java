package dev.smartflow.compliance;

import dev.smartflow.core.exchange.Principal;
import java.util.Optional;

/**
 * Where the engine finds policies beyond the built-in ones: the policy library (issue 20) plugs its stored policies in
 * here. Resolution for a call ({@link Policies#effective}) asks {@link #forPrincipal} first, then reads the key's
 * {@value Policies#TAG} tag through {@link #named}, then the built-in policies, then the configured default.
 *
 * <pre>{@code
 * PolicySource library = new PolicySource() {
 *     public Optional<CompliancePolicy> named(String name) { return store.policy(name).map(Stored::toPolicy); }
 *     public Optional<CompliancePolicy> forPrincipal(Principal p) { return store.assignedTo(p.tenant()); }
 * };
 * // in-process: ComplianceEngine.builder().policySource(library); in the server: a PolicySource.Factory
 * // listed in META-INF/services/dev.smartflow.compliance.PolicySource$Factory
 * }</pre>
 *
 * <p><b>Contract.</b> Thread-safe; called on every scanned request, so answers come from memory (a snapshot the source
 * refreshes itself), never from a database round trip. Nothing is null.
 */
public interface PolicySource {
    /** No policies of its own: only the built-in ones and the default apply. */
    PolicySource NONE = name -> Optional.empty();

    /** The policy named {@code name}, if this source has one; it wins over a built-in policy of the same name. */
    Optional<CompliancePolicy> named(String name);

    /** The policy this source assigns to {@code principal} by its own rules (scopes, presets); empty to defer. */
    default Optional<CompliancePolicy> forPrincipal(Principal principal) {
        return Optional.empty();
    }

    /**
     * How the server finds a policy source: the first factory listed in
     * {@code META-INF/services/dev.smartflow.compliance.PolicySource$Factory} is asked for one when the compliance
     * module installs, with the module's context (its database, shared state, configuration).
     */
    interface Factory {
        PolicySource create(dev.smartflow.server.ModuleContext context);
    }
}
