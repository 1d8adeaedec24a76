package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What an MCP tool returned ({@code result} of {@code tools/call}): its content blocks, whether the tool reported an
 * error, and its structured content when it sent one.
 */
public record ToolResult(List<JsonNode> content, boolean isError, Optional<JsonNode> structuredContent) {
    public ToolResult {
        content = List.copyOf(content);
        Objects.requireNonNull(structuredContent, "structuredContent");
    }

    /** The text blocks joined by newlines; the structured content as JSON when there is no text. */
    public String text() {
        String text = content.stream().filter(block -> Json.text(block, "type").equals("text"))
                .map(block -> Json.text(block, "text")).collect(Collectors.joining("\n"));
        return text.isEmpty() ? structuredContent.map(JsonNode::toString).orElse("") : text;
    }

    static ToolResult from(JsonNode result) {
        JsonNode structured = result.path("structuredContent");
        return new ToolResult(Json.nodes(result, "content"), Json.bool(result, "isError"),
                structured.isMissingNode() || structured.isNull() ? Optional.empty() : Optional.of(structured));
    }
}
