package dev.smartflow.compliance;

import dev.smartflow.core.exchange.Principal;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides the policy of a call: what the {@link PolicySource} assigns to the caller, else the policy named by the
 * virtual key's {@value #TAG} tag (from the source, else built in), else the configured default. A tag naming no known
 * policy falls back to the default (the call is still scanned) and says so, so the audit record can flag it. A default
 * of {@code none} leaves callers without a policy unscanned.
 *
 * <p>Immutable and thread-safe.
 */
public final class Policies {
    /** The virtual-key tag that names a key's policy. */
    public static final String TAG = "compliance_policy";
    /** The default that turns scanning off for callers without a policy of their own. */
    public static final String NONE = "none";

    private final PolicySource source;
    private final Optional<CompliancePolicy> fallback;

    /**
     * @param defaultPolicy the policy of callers without one, or {@value #NONE}
     * @throws IllegalArgumentException when {@code defaultPolicy} names no known policy
     */
    public Policies(PolicySource source, String defaultPolicy) {
        this.source = Objects.requireNonNull(source, "source");
        Objects.requireNonNull(defaultPolicy, "defaultPolicy");
        if (defaultPolicy.equals(NONE)) {
            this.fallback = Optional.empty();
        } else {
            this.fallback = Optional.of(named(defaultPolicy).orElseThrow(() -> new IllegalArgumentException(
                    "compliance.default_policy names no known policy: '" + defaultPolicy + "'; expected "
                            + "enterprise_standard, hipaa, pci_dss_strict, gdpr or none")));
        }
    }

    /** A policy by name: the source's, else a built-in one. */
    public Optional<CompliancePolicy> named(String name) {
        Optional<CompliancePolicy> own = source.named(name);
        return own.isPresent() ? own : BuiltInPolicies.named(name);
    }

    /** The default policy; empty when it is {@value #NONE}. */
    public Optional<CompliancePolicy> fallback() {
        return fallback;
    }

    /** The policy of {@code principal}'s calls, and whether its tag named an unknown policy. */
    public Resolution effective(Principal principal) {
        Optional<CompliancePolicy> assigned = source.forPrincipal(principal);
        if (assigned.isPresent()) {
            return new Resolution(assigned, false);
        }
        Optional<String> tag = principal.key().flatMap(key -> Optional.ofNullable(key.tags().get(TAG)))
                .map(String::strip).filter(name -> !name.isEmpty());
        if (tag.isPresent()) {
            if (tag.get().equals(NONE)) {
                return new Resolution(Optional.empty(), false);
            }
            Optional<CompliancePolicy> tagged = named(tag.get());
            if (tagged.isPresent()) {
                return new Resolution(tagged, false);
            }
            return new Resolution(fallback, true);
        }
        return new Resolution(fallback, false);
    }

    /** A call's policy (empty: not scanned), and whether its key named a policy that does not exist. */
    public record Resolution(Optional<CompliancePolicy> policy, boolean unknownTag) {
        public Resolution {
            Objects.requireNonNull(policy, "policy");
        }
    }
}
