package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** A chunk that matched a vector-store search or a RAG query, with its cosine similarity. */
public record SearchHit(String fileId, String filename, String content, double score) {
    public SearchHit {
        Objects.requireNonNull(fileId, "fileId");
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(content, "content");
    }

    static SearchHit from(JsonNode node) {
        return new SearchHit(Json.text(node, "file_id"), Json.text(node, "filename"),
                Json.text(node, "content", Json.text(node, "text")), Json.decimal(node, "score"));
    }
}
