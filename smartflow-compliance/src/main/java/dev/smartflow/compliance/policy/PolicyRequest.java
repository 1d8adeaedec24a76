package dev.smartflow.compliance.policy;

import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Principal;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@link PolicyEvaluator#evaluate(PolicyRequest)} judges: who calls, the text the call sends, where it may go,
 * from where, and the caller's credentials for a judge call on its behalf.
 *
 * @param principal   the authenticated caller
 * @param text        the text the call sends a model (every message, the prompt, the input)
 * @param providers   every provider the call may reach (a fallback chain's targets); empty when unknown
 * @param models      every name the call's model goes by: as requested, as each provider knows it, and
 *                    {@code provider/model}; lower-cased here
 * @param ip          the caller's address, when known
 * @param credentials the caller's {@code Authorization} or {@code x-api-key}, so that a judge call is budgeted and
 *                    audited as the caller's; empty for no judge call
 */
public record PolicyRequest(Principal principal, String text, Set<String> providers, Set<String> models,
                            Optional<String> ip, Headers credentials) {
    public PolicyRequest {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(text, "text");
        providers = lower(providers);
        models = lower(models);
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(credentials, "credentials");
    }

    /** A call to one provider and model, without credentials (no judge call is made). */
    public static PolicyRequest of(Principal principal, String text, String provider, String model,
                                   Optional<String> ip) {
        return new PolicyRequest(principal, text, provider.isEmpty() ? Set.of() : Set.of(provider),
                Set.of(model, provider + "/" + model), ip, Headers.EMPTY);
    }

    private static Set<String> lower(Set<String> values) {
        return values.stream().map(v -> v.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public String toString() {
        return "PolicyRequest[" + principal + ", " + text.length() + " chars, providers=" + providers + ", models="
                + models + "]";
    }
}
