package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/** A vector store of the gateway ({@code /v1/vector_stores}): its id, name, description and file count. */
public record VectorStore(String id, String name, String description, long fileCount, Instant createdAt,
                          JsonNode json) {
    public VectorStore {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(json, "json");
    }

    static VectorStore from(JsonNode node) {
        JsonNode created = node.path("created_at");
        Instant at = created.isNumber() ? Instant.ofEpochSecond(created.asLong()) : Json.instant(node, "created_at");
        return new VectorStore(Json.text(node, "id"), Json.text(node, "name"), Json.text(node, "description"),
                node.has("file_count") ? Json.number(node, "file_count")
                        : Json.number(node.path("file_counts"), "total"), at, node);
    }
}
