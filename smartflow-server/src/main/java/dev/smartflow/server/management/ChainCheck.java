package dev.smartflow.server.management;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.routing.ChainTarget;
import dev.smartflow.core.routing.FallbackChain;
import dev.smartflow.core.routing.ModelResolver;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Whether every target of a chain can be served now: its provider is known and configured, the variable its
 * {@code api_key_env} names is set, and its {@code api_base} carries no credentials (the base is listed by the API;
 * keys belong in {@code api_key_env}). The management API checks a chain before it stores it, and the server checks
 * the chains of its configuration file at start, so a chain that could never serve is refused where it is written,
 * not discovered on the first call.
 */
public final class ChainCheck {
    private ChainCheck() {
    }

    /**
     * @throws InvalidRequest whose param names the target's field at fault, e.g. {@code targets[1].provider}; the
     *                        message names variables, never their values
     */
    public static void check(FallbackChain chain, ModelResolver resolver) {
        for (int i = 0; i < chain.targets().size(); i++) {
            ChainTarget target = chain.targets().get(i);
            String at = "targets[" + i + "]";
            target.apiBase().ifPresent(base -> {
                if (hasUserInfo(base)) {
                    throw new InvalidRequest("'" + at + ".api_base' must not carry credentials; name the variable"
                            + " holding the key in api_key_env", "invalid_request", at + ".api_base");
                }
            });
            try {
                resolver.resolve(target);
            } catch (InvalidRequest e) {
                String field = at + "." + switch (e.code().orElse("")) {
                    case "api_key_env_not_set" -> "api_key_env";
                    case "override_not_supported", "invalid_request" ->
                            target.apiBase().isPresent() ? "api_base" : "api_key_env";
                    default -> "provider";
                };
                throw new InvalidRequest("'" + field + "': " + e.getMessage(), e.code().orElse("invalid_request"),
                        field);
            }
        }
    }

    private static boolean hasUserInfo(String base) {
        try {
            return new URI(base).getRawUserInfo() != null;
        } catch (URISyntaxException e) {
            // not a URI the adapter can use either; resolving the target reports that
            return base.indexOf('@') >= 0;
        }
    }
}
