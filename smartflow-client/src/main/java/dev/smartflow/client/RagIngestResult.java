package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** A document ingested by RAG: where it went, how many chunks, and the status ({@code completed}). */
public record RagIngestResult(String storeId, String fileId, long chunksCreated, String status) {
    public RagIngestResult {
        Objects.requireNonNull(storeId, "storeId");
        Objects.requireNonNull(fileId, "fileId");
        Objects.requireNonNull(status, "status");
    }

    static RagIngestResult from(JsonNode body) {
        return new RagIngestResult(Json.text(body, "store_id", Json.text(body, "vector_store_id")),
                Json.text(body, "file_id"), Json.number(body, "chunks_created"), Json.text(body, "status"));
    }
}
