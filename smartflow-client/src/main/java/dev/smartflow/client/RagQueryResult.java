package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What a RAG query retrieved: the chunks, best first, and the context string built from them when asked for. */
public record RagQueryResult(List<SearchHit> chunks, Optional<String> context, long total) {
    public RagQueryResult {
        chunks = List.copyOf(chunks);
        Objects.requireNonNull(context, "context");
    }

    static RagQueryResult from(JsonNode body) {
        List<SearchHit> chunks = Json.nodes(body, "chunks").stream().map(SearchHit::from).toList();
        return new RagQueryResult(chunks, Json.optionalText(body, "context"),
                body.has("total") ? Json.number(body, "total") : chunks.size());
    }
}
