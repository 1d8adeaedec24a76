package dev.smartflow.cache.rag;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.cache.Semantic;
import dev.smartflow.cache.rag.VectorStoreStage.RouteParameters;
import dev.smartflow.core.Slot;
import dev.smartflow.core.exchange.Attributes;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.server.ModuleContext;
import dev.smartflow.server.Service;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Puts the vector stores and the RAG pipeline on the proxy port: each route runs as a module operation through the
 * pipeline (authenticated with the master key or a virtual key, rate limited, audited) and is answered by the
 * module's stage, for the caller's tenant. Wired by the cache module with its {@link Semantic} layer's embedder and
 * clock.
 *
 * <pre>{@code
 * VectorStoreRoutes.install(context, semantic);     // in a ServerModule's install
 * }</pre>
 *
 * <p>The stores search an index of their own ({@link dev.smartflow.cache.index.FlatVectorIndex}, the layer's index
 * class), not the layer's shared one: their vectors are kept in the database, which every instance reads, and each
 * instance's index is its own copy of them, loaded and replaced store by store.
 *
 * <p>Configuration, under the module's section ({@code cache.vector_stores} for the cache module):
 * {@code enabled} (default true) and {@code max_file_bytes} (default {@value VectorStores#DEFAULT_MAX_FILE_BYTES}).
 */
public final class VectorStoreRoutes {
    private static final System.Logger LOG = System.getLogger(VectorStoreRoutes.class.getName());

    private VectorStoreRoutes() {
    }

    /**
     * Installs the stage, the routes (each with and without the {@code /v1} prefix, as the proxy's own) and the
     * closing of the stores; the index starts catching up with the database in the background.
     *
     * @return the stores, for in-process use beside HTTP; empty when the configuration turns them off
     * @throws IllegalArgumentException when the configuration is invalid, naming the setting
     */
    public static Optional<VectorStores> install(ModuleContext context, Semantic semantic) {
        JsonNode settings = context.config().path("vector_stores");
        if (!enabled(settings.path("enabled"))) {
            LOG.log(System.Logger.Level.INFO, "vector stores are turned off (vector_stores.enabled: false)");
            return Optional.empty();
        }
        VectorStores.Builder builder = VectorStores.builder(context.database().vectorStores(), semantic.embedder())
                .clock(semantic.clock());
        JsonNode maxFileBytes = settings.path("max_file_bytes");
        if (!maxFileBytes.isMissingNode()) {
            if (!maxFileBytes.canConvertToLong() || !maxFileBytes.isIntegralNumber() || maxFileBytes.longValue() < 1) {
                throw new IllegalArgumentException("vector_stores.max_file_bytes must be a positive whole number of "
                        + "bytes");
            }
            builder.maxFileBytes(maxFileBytes.longValue());
        }
        VectorStores stores = builder.build();
        context.pipeline().addStage(Slot.BEFORE_ROUTE, new VectorStoreStage(stores));
        context.routes(Service.PROXY, app -> routes(context, app));
        context.closeWith(stores);
        return Optional.of(stores);
    }

    /** {@code vector_stores.enabled}: true unless set to false. */
    private static boolean enabled(JsonNode enabled) {
        if (enabled.isMissingNode() || enabled.isNull()) {
            return true;
        }
        return switch (enabled.asText().strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("vector_stores.enabled must be true or false, not '"
                    + enabled.asText() + "'");
        };
    }

    private static void routes(ModuleContext context, JavalinConfig app) {
        for (String prefix : new String[] {"/v1", ""}) {
            String stores = prefix + "/vector_stores";
            app.routes.post(stores, route(context, VectorStoreStage.CREATE_STORE));
            app.routes.get(stores, route(context, VectorStoreStage.LIST_STORES));
            app.routes.get(stores + "/{id}", route(context, VectorStoreStage.GET_STORE));
            app.routes.delete(stores + "/{id}", route(context, VectorStoreStage.DELETE_STORE));
            app.routes.post(stores + "/{id}/files", route(context, VectorStoreStage.ADD_FILE));
            app.routes.get(stores + "/{id}/files", route(context, VectorStoreStage.LIST_FILES));
            app.routes.get(stores + "/{id}/files/{file_id}", route(context, VectorStoreStage.GET_FILE));
            app.routes.delete(stores + "/{id}/files/{file_id}", route(context, VectorStoreStage.DELETE_FILE));
            app.routes.post(stores + "/{id}/search", route(context, VectorStoreStage.SEARCH));
            app.routes.post(prefix + "/rag/ingest", route(context, VectorStoreStage.INGEST));
            app.routes.post(prefix + "/rag/query", route(context, VectorStoreStage.QUERY));
        }
    }

    private static Handler route(ModuleContext context, ModuleOperation operation) {
        return context.pipelineRoute(operation, ctx -> Attributes.EMPTY.with(VectorStoreStage.PARAMETERS,
                parameters(ctx)));
    }

    private static RouteParameters parameters(Context ctx) {
        Map<String, List<String>> query = new HashMap<>();
        ctx.queryParamMap().forEach((name, values) -> query.put(name, List.copyOf(values)));
        return new RouteParameters(ctx.pathParamMap(), query);
    }
}
