package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One message of a chat: a role ({@code system}, {@code user}, {@code assistant}, {@code tool}), its text, and for
 * tool calling the calls an assistant asked for or the call a tool message answers.
 *
 * @param role       the speaker
 * @param content    the text; empty for an assistant message that only calls tools
 * @param toolCalls  the calls an assistant message asked for
 * @param toolCallId the call a {@code tool} message answers
 */
public record Message(String role, String content, List<ToolCall> toolCalls, Optional<String> toolCallId) {
    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        toolCalls = List.copyOf(toolCalls);
        Objects.requireNonNull(toolCallId, "toolCallId");
    }

    public static Message system(String content) {
        return new Message("system", content, List.of(), Optional.empty());
    }

    public static Message user(String content) {
        return new Message("user", content, List.of(), Optional.empty());
    }

    public static Message assistant(String content) {
        return new Message("assistant", content, List.of(), Optional.empty());
    }

    /** An assistant message that asked for tool calls. */
    public static Message assistant(String content, List<ToolCall> toolCalls) {
        return new Message("assistant", content, toolCalls, Optional.empty());
    }

    /** A tool's answer to the call {@code toolCallId}. */
    public static Message tool(String toolCallId, String content) {
        return new Message("tool", content, List.of(), Optional.of(toolCallId));
    }

    JsonNode toJson() {
        ObjectNode node = Json.object().put("role", role);
        if (content.isEmpty() && !toolCalls.isEmpty()) {
            node.putNull("content");
        } else {
            node.put("content", content);
        }
        if (!toolCalls.isEmpty()) {
            var calls = node.putArray("tool_calls");
            toolCalls.forEach(call -> calls.add(call.toJson()));
        }
        toolCallId.ifPresent(id -> node.put("tool_call_id", id));
        return node;
    }
}
