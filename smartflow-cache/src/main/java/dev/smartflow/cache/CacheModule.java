package dev.smartflow.cache;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.server.ModuleContext;
import dev.smartflow.server.ServerModule;
import java.util.Locale;

/**
 * The server module of Smartflow's semantic memory, found through {@link java.util.ServiceLoader}: it reads the
 * {@code cache:} section of the configuration, opens the {@link Semantic} layer (embedder and vector index) and
 * installs each part on it. {@code cache.enabled: false} leaves the module out entirely.
 *
 * <pre>{@code
 * cache:
 *   enabled: true
 *   embedder: {type: onnx, batch: 32}
 * }</pre>
 */
public final class CacheModule implements ServerModule {
    private static final System.Logger LOG = System.getLogger(CacheModule.class.getName());

    @Override
    public String name() {
        return "cache";
    }

    @Override
    public void install(ModuleContext context) {
        if (!enabled(context.config())) {
            LOG.log(System.Logger.Level.INFO, "cache module off (cache.enabled: false)");
            return;
        }
        Semantic semantic = Semantic.open(context);
        context.closeWith(semantic);
        // parts: MetaCache.install(context, semantic); VectorStores.install(context, semantic);
        LOG.log(System.Logger.Level.INFO, () -> "cache module on, embedder " + semantic.embedder().model());
    }

    /** {@code cache.enabled}, true unless set to false. */
    static boolean enabled(JsonNode section) {
        JsonNode enabled = section.path("enabled");
        if (enabled.isMissingNode() || enabled.isNull()) {
            return true;
        }
        return switch (enabled.asText().strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("cache.enabled must be true or false, not '"
                    + enabled.asText() + "'");
        };
    }
}
