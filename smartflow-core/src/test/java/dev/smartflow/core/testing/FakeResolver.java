package dev.smartflow.core.testing;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.routing.ModelResolver;
import dev.smartflow.core.routing.Target;
import dev.smartflow.core.spi.Provider;
import java.util.List;
import java.util.Optional;

/**
 * A {@link ModelResolver} over a fixed list of providers: {@code name/model} goes to the provider of that name with the
 * prefix stripped; a bare model goes to the first provider unchanged; an unknown prefix is an {@link InvalidRequest}.
 */
public final class FakeResolver implements ModelResolver {
    private final List<Provider> providers;

    public FakeResolver(Provider... providers) {
        this.providers = List.of(providers);
    }

    @Override
    public Target resolve(String model) {
        int slash = model.indexOf('/');
        if (slash < 0) {
            if (providers.isEmpty()) {
                throw new InvalidRequest("no provider is configured", "model_not_found", "model");
            }
            return new Target(providers.getFirst(), model);
        }
        String prefix = model.substring(0, slash);
        Optional<Provider> provider = providers.stream().filter(p -> p.name().equals(prefix)).findFirst();
        return provider.map(p -> new Target(p, model.substring(slash + 1)))
                .orElseThrow(() -> new InvalidRequest("unknown provider prefix '" + prefix + "'", "model_not_found",
                        "model"));
    }

    @Override
    public List<Provider> available() {
        return providers;
    }
}
