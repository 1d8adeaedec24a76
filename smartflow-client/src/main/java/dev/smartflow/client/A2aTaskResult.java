package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * An A2A agent's answer to a task: the text of its first part ({@code result.parts[0].text}), the task id, the trace
 * id that joins the run's calls ({@code x-a2a-trace-id}), and the whole answer.
 */
public record A2aTaskResult(String taskId, String text, Optional<String> traceId, JsonNode json) {
    public A2aTaskResult {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(json, "json");
    }

    static A2aTaskResult from(JsonNode body, String taskId, Optional<String> traceId) {
        JsonNode result = body.path("result");
        String text = "";
        for (JsonNode part : result.path("parts")) {
            if (part.has("text")) {
                text = Json.text(part, "text");
                break;
            }
        }
        return new A2aTaskResult(Json.text(result, "id", taskId), text, traceId, body);
    }
}
