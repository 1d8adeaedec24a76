package dev.smartflow.cache.rag;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Attribute;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.VectorFile;
import dev.smartflow.core.spi.VectorStore;
import dev.smartflow.core.spi.VectorStoreRecords.PageRequest;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Answers the vector store and RAG operations at {@link dev.smartflow.core.Slot#BEFORE_ROUTE}, after the pipeline has
 * authenticated, rate limited and begun auditing the call; every other exchange passes on. Each call acts for the
 * caller's tenant ({@link dev.smartflow.core.exchange.Principal#tenant()}).
 */
final class VectorStoreStage implements Stage {
    static final ModuleOperation CREATE_STORE = operation("vector_stores.create", "/v1/vector_stores");
    static final ModuleOperation LIST_STORES = operation("vector_stores.list", "/v1/vector_stores");
    static final ModuleOperation GET_STORE = operation("vector_stores.get", "/v1/vector_stores/{id}");
    static final ModuleOperation DELETE_STORE = operation("vector_stores.delete", "/v1/vector_stores/{id}");
    static final ModuleOperation ADD_FILE = operation("vector_stores.files.create", "/v1/vector_stores/{id}/files");
    static final ModuleOperation LIST_FILES = operation("vector_stores.files.list", "/v1/vector_stores/{id}/files");
    static final ModuleOperation GET_FILE = operation("vector_stores.files.get",
            "/v1/vector_stores/{id}/files/{file_id}");
    static final ModuleOperation DELETE_FILE = operation("vector_stores.files.delete",
            "/v1/vector_stores/{id}/files/{file_id}");
    static final ModuleOperation SEARCH = operation("vector_stores.search", "/v1/vector_stores/{id}/search");
    static final ModuleOperation INGEST = operation("rag.ingest", "/v1/rag/ingest");
    static final ModuleOperation QUERY = operation("rag.query", "/v1/rag/query");

    /** The request's path and query parameters, as the route read them. */
    static final Attribute<RouteParameters> PARAMETERS = Attribute.of("vector_stores.parameters",
            RouteParameters.class);

    static final int DEFAULT_LIST_LIMIT = 20;
    static final int MAX_LIST_LIMIT = 100;
    private static final String FILES_INSTEAD = "this gateway has no file uploads; send the text as 'content' "
            + "(POST /v1/vector_stores/{id}/files or /v1/rag/ingest)";

    private final VectorStores stores;
    private final Rag rag;
    private final Map<ModuleOperation, Handler> handlers;

    VectorStoreStage(VectorStores stores) {
        this.stores = Objects.requireNonNull(stores, "stores");
        this.rag = new Rag(stores);
        this.handlers = Map.ofEntries(Map.entry(CREATE_STORE, this::createStore),
                Map.entry(LIST_STORES, this::listStores), Map.entry(GET_STORE, this::getStore),
                Map.entry(DELETE_STORE, this::deleteStore), Map.entry(ADD_FILE, this::addFile),
                Map.entry(LIST_FILES, this::listFiles), Map.entry(GET_FILE, this::getFile),
                Map.entry(DELETE_FILE, this::deleteFile), Map.entry(SEARCH, this::search),
                Map.entry(INGEST, this::ingest), Map.entry(QUERY, this::query));
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        if (!(exchange.operation() instanceof ModuleOperation operation) || !handlers.containsKey(operation)) {
            return chain.proceed(exchange);
        }
        RouteParameters parameters = exchange.get(PARAMETERS).orElse(RouteParameters.NONE);
        return handlers.get(operation).answer(new Call(exchange, parameters, exchange.principal().tenant()));
    }

    private Response createStore(Call call) {
        ObjectNode body = call.body();
        Fields.unsupported(body, "file_ids", FILES_INSTEAD);
        NewVectorStore spec = new NewVectorStore(Fields.requiredText(body, "name"),
                Fields.text(body, "description", ""),
                Fields.strings(body, "metadata", VectorStores.MAX_METADATA_PAIRS));
        return answer(200, VectorStoreJson.store(stores.create(call.tenant(), spec)));
    }

    private Response listStores(Call call) {
        return answer(200, VectorStoreJson.list(stores.list(call.tenant(), page(call)), VectorStoreJson::store,
                VectorStore::id));
    }

    private Response getStore(Call call) {
        return answer(200, VectorStoreJson.store(stores.get(call.tenant(), call.storeId())));
    }

    private Response deleteStore(Call call) {
        String storeId = call.storeId();
        stores.delete(call.tenant(), storeId);
        return answer(200, VectorStoreJson.deleted(storeId, "vector_store.deleted"));
    }

    private Response addFile(Call call) {
        ObjectNode body = call.body();
        Fields.unsupported(body, "file_id", FILES_INSTEAD);
        Document document = document(body);
        if (Fields.bool(body, "background", false)) {
            return answer(202, VectorStoreJson.file(stores.startFile(call.tenant(), call.storeId(), document)));
        }
        return answer(200, VectorStoreJson.file(stores.addFile(call.tenant(), call.storeId(), document)));
    }

    private Response listFiles(Call call) {
        return answer(200, VectorStoreJson.list(stores.files(call.tenant(), call.storeId(), page(call)),
                VectorStoreJson::file, VectorFile::id));
    }

    private Response getFile(Call call) {
        return answer(200, VectorStoreJson.file(stores.file(call.tenant(), call.storeId(), call.fileId())));
    }

    private Response deleteFile(Call call) {
        String fileId = call.fileId();
        stores.deleteFile(call.tenant(), call.storeId(), fileId);
        return answer(200, VectorStoreJson.deleted(fileId, "vector_store.file.deleted"));
    }

    private Response search(Call call) {
        ObjectNode body = call.body();
        String query = Fields.requiredText(body, "query");
        int maxResults = Fields.integer(body, "max_results", RagQuery.DEFAULT_MAX_RESULTS);
        double threshold = Fields.number(body, "score_threshold", 0.0);
        List<SearchHit> hits = stores.search(call.tenant(), call.storeId(), query, maxResults, threshold);
        ObjectNode answer = VectorStoreJson.object();
        answer.set("results", VectorStoreJson.hits(hits));
        answer.put("total", hits.size());
        return answer(200, answer);
    }

    private Response ingest(Call call) {
        ObjectNode body = call.body();
        Document document = document(body);
        String storeId = Fields.requiredText(body, "vector_store_id");
        if (Fields.bool(body, "background", false)) {
            return answer(202, VectorStoreJson.ingested(rag.startIngest(call.tenant(), storeId, document)));
        }
        return answer(200, VectorStoreJson.ingested(rag.ingest(call.tenant(), storeId, document)));
    }

    private Response query(Call call) {
        ObjectNode body = call.body();
        RagQuery question = new RagQuery(Fields.requiredText(body, "vector_store_id"),
                Fields.requiredText(body, "query"),
                Fields.integer(body, "max_results", RagQuery.DEFAULT_MAX_RESULTS),
                Fields.number(body, "score_threshold", 0.0),
                Fields.bool(body, "include_context", true));
        Rag.Answer found = rag.query(call.tenant(), question);
        ObjectNode answer = VectorStoreJson.object();
        answer.set("chunks", VectorStoreJson.hits(found.chunks()));
        if (found.context().isPresent()) {
            answer.put("context", found.context().get());
        } else {
            answer.putNull("context");
        }
        answer.put("total", found.total());
        return answer(200, answer);
    }

    /** The fields of a document: the content first, so a missing one is the first error named. */
    private static Document document(ObjectNode body) {
        return new Document(Fields.requiredText(body, "content"), Fields.text(body, "filename", ""),
                Fields.strings(body, "metadata", VectorStores.MAX_METADATA_PAIRS),
                Fields.integer(body, "chunk_size", Document.DEFAULT_CHUNK_SIZE),
                Fields.integer(body, "chunk_overlap", Document.DEFAULT_CHUNK_OVERLAP));
    }

    /**
     * The page a list asks for: {@code limit} (1 to 100, default 20), {@code order} ({@code desc}, the default, or
     * {@code asc}) and {@code after} (an id).
     */
    private static PageRequest page(Call call) {
        Map<String, List<String>> query = call.parameters().query();
        int limit = DEFAULT_LIST_LIMIT;
        Optional<String> given = Fields.query(query, "limit");
        if (given.isPresent()) {
            try {
                limit = Integer.parseInt(given.get());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIST_LIMIT) {
                throw new InvalidRequest("'limit' must be a whole number from 1 to " + MAX_LIST_LIMIT,
                        "invalid_value", "limit");
            }
        }
        String order = Fields.query(query, "order").orElse("desc");
        if (!order.equals("desc") && !order.equals("asc")) {
            throw new InvalidRequest("'order' must be 'asc' or 'desc'", "invalid_value", "order");
        }
        Optional<String> after = Fields.query(query, "after").filter(id -> !id.isEmpty());
        return new PageRequest(limit, after, order.equals("desc"));
    }

    private static Response answer(int status, ObjectNode json) {
        return new Response.Complete(status, Headers.EMPTY, Body.of(json));
    }

    private static ModuleOperation operation(String name, String path) {
        return new ModuleOperation(name, path, false, false);
    }

    /** One call: the exchange, its route's parameters, the caller's tenant. */
    private record Call(Exchange exchange, RouteParameters parameters, String tenant) {
        ObjectNode body() {
            return exchange.body().object();
        }

        String storeId() {
            return parameters.path().getOrDefault("id", "");
        }

        String fileId() {
            return parameters.path().getOrDefault("file_id", "");
        }
    }

    @FunctionalInterface
    private interface Handler {
        Response answer(Call call);
    }

    /** The path parameters ({@code id}, {@code file_id}) and query parameters of a request. */
    record RouteParameters(Map<String, String> path, Map<String, List<String>> query) {
        static final RouteParameters NONE = new RouteParameters(Map.of(), Map.of());

        RouteParameters {
            path = Map.copyOf(path);
            query = Map.copyOf(query);
        }
    }
}
