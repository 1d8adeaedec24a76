package dev.smartflow.cache.rag;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.spi.VectorFile;
import dev.smartflow.core.spi.VectorStore;
import dev.smartflow.core.spi.VectorStoreRecords.Page;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** The HTTP answers' shapes: OpenAI's vector store objects, with the reference's fields and our progress. */
final class VectorStoreJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private VectorStoreJson() {
    }

    static ObjectNode store(VectorStore store) {
        ObjectNode node = NODES.objectNode();
        node.put("id", store.id());
        node.put("object", "vector_store");
        node.put("name", store.name());
        node.put("description", store.description());
        node.set("metadata", strings(store.metadata()));
        node.put("file_count", store.fileCount());
        node.put("created_at", seconds(store.createdAt()));
        return node;
    }

    static ObjectNode file(VectorFile file) {
        ObjectNode node = NODES.objectNode();
        node.put("id", file.id());
        node.put("object", "vector_store.file");
        node.put("vector_store_id", file.storeId());
        node.put("filename", file.filename());
        node.set("metadata", strings(file.metadata()));
        node.put("bytes", file.bytes());
        node.put("status", file.status().id());
        node.put("chunk_count", file.chunkCount());
        node.put("chunks_embedded", file.chunksEmbedded());
        if (file.lastError().isPresent()) {
            ObjectNode error = node.putObject("last_error");
            error.put("code", "server_error");
            error.put("message", file.lastError().get());
        } else {
            node.putNull("last_error");
        }
        node.put("created_at", seconds(file.createdAt()));
        return node;
    }

    static ObjectNode hit(SearchHit hit) {
        ObjectNode node = NODES.objectNode();
        node.put("file_id", hit.fileId());
        node.put("filename", hit.filename());
        node.put("chunk_index", hit.chunkIndex());
        node.put("content", hit.content());
        node.put("score", hit.score());
        return node;
    }

    static ArrayNode hits(List<SearchHit> hits) {
        ArrayNode array = NODES.arrayNode();
        hits.forEach(hit -> array.add(hit(hit)));
        return array;
    }

    /** OpenAI's list: {@code {"object":"list","data":[...],"first_id","last_id","has_more"}}. */
    static <T> ObjectNode list(Page<T> page, Function<T, ObjectNode> item, Function<T, String> id) {
        ObjectNode node = NODES.objectNode();
        node.put("object", "list");
        ArrayNode data = node.putArray("data");
        page.items().forEach(entry -> data.add(item.apply(entry)));
        if (page.items().isEmpty()) {
            node.putNull("first_id");
            node.putNull("last_id");
        } else {
            node.put("first_id", id.apply(page.items().getFirst()));
            node.put("last_id", id.apply(page.items().getLast()));
        }
        node.put("has_more", page.hasMore());
        return node;
    }

    static ObjectNode deleted(String id, String object) {
        ObjectNode node = NODES.objectNode();
        node.put("id", id);
        node.put("object", object);
        node.put("deleted", true);
        return node;
    }

    static ObjectNode ingested(Rag.Ingested ingested) {
        ObjectNode node = NODES.objectNode();
        node.put("store_id", ingested.storeId());
        node.put("file_id", ingested.fileId());
        node.put("chunks_created", ingested.chunksCreated());
        node.put("chunks_total", ingested.chunksTotal());
        node.put("status", ingested.status().id());
        return node;
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    private static ObjectNode strings(Map<String, String> values) {
        ObjectNode node = NODES.objectNode();
        new TreeMap<>(values).forEach(node::put);
        return node;
    }

    /** Unix seconds, as OpenAI's objects give times. */
    private static long seconds(Instant instant) {
        return instant.getEpochSecond();
    }
}
