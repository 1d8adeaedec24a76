package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** A document added to a vector store: its id, file name and how many chunks it was split into. */
public record VectorStoreFile(String id, String filename, long chunks, JsonNode json) {
    public VectorStoreFile {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(json, "json");
    }

    static VectorStoreFile from(JsonNode node) {
        return new VectorStoreFile(Json.text(node, "id", Json.text(node, "file_id")), Json.text(node, "filename"),
                node.has("chunks") ? Json.number(node, "chunks") : Json.number(node, "chunks_created"), node);
    }
}
