package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * A {@link Gateway} that answers from a script and records what it was asked: chat answers (text or tool calls) in
 * order, compliance verdicts in order (compliant when none is queued), a tool catalog and tool results.
 */
final class ScriptedGateway implements Gateway {
    record ChatCall(List<Message> messages, ChatOptions options) {
    }

    record ScanCall(String content, String policy, ScanContext context) {
    }

    record ToolInvocation(String serverId, String tool, JsonNode arguments) {
    }

    final Deque<Object> chats = new ArrayDeque<>();
    final Deque<ComplianceResult> scans = new ArrayDeque<>();
    final List<McpTool> catalog = new ArrayList<>();
    final Deque<Object> toolResults = new ArrayDeque<>();
    final List<ChatCall> chatCalls = new ArrayList<>();
    final List<ScanCall> scanCalls = new ArrayList<>();
    final List<ToolInvocation> toolCalls = new ArrayList<>();

    /** Queues an answer of {@code text}, 10 tokens, $0.0001. */
    ScriptedGateway answer(String text) {
        chats.add(response(text, List.of()));
        return this;
    }

    ScriptedGateway answerWithToolCalls(ToolCall... calls) {
        chats.add(response("", List.of(calls)));
        return this;
    }

    ScriptedGateway fail(SmartflowException e) {
        chats.add(e);
        return this;
    }

    ScriptedGateway verdict(ComplianceResult result) {
        scans.add(result);
        return this;
    }

    static AIResponse response(String text, List<ToolCall> calls) {
        ObjectNode body = Json.object().put("id", "c").put("model", "m");
        return new AIResponse(text, List.of(), new Usage(6, 4, 10), "m", "c", false, Optional.empty(), "scripted",
                Optional.of(new BigDecimal("0.0001")), Optional.empty(), calls, calls.isEmpty() ? "stop" : "tool_calls",
                body);
    }

    static ComplianceResult compliant() {
        return ComplianceResult.from(Json.object().put("has_violations", false).put("risk_level", "low")
                .put("recommended_action", "Allow"));
    }

    static ComplianceResult blocking(String type) {
        ObjectNode body = Json.object().put("has_violations", true).put("risk_level", "critical")
                .put("recommended_action", "Block");
        body.putArray("violations").add(type);
        return ComplianceResult.from(body);
    }

    @Override
    public AIResponse chatCompletions(List<Message> messages, ChatOptions options) {
        chatCalls.add(new ChatCall(List.copyOf(messages), options));
        Object next = chats.poll();
        if (next == null) {
            throw new AssertionError("no chat answer queued for " + messages);
        }
        if (next instanceof SmartflowException e) {
            throw e;
        }
        return (AIResponse) next;
    }

    @Override
    public ComplianceResult checkCompliance(String content, String policy, ScanContext context) {
        scanCalls.add(new ScanCall(content, policy, context));
        ComplianceResult next = scans.poll();
        return next == null ? compliant() : next;
    }

    @Override
    public List<McpTool> searchTools(String query, int k) {
        return catalog.stream().limit(k).toList();
    }

    @Override
    public ToolResult callTool(String serverId, String tool, JsonNode arguments) {
        toolCalls.add(new ToolInvocation(serverId, tool, arguments));
        Object next = toolResults.poll();
        if (next instanceof SmartflowException e) {
            throw e;
        }
        return next == null ? new ToolResult(List.of(), true, Optional.empty()) : (ToolResult) next;
    }
}
