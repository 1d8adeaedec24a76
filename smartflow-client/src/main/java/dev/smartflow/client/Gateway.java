package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What {@link SmartflowAgent} and {@link SmartflowWorkflow} need from a gateway: chat, a compliance scan, and MCP
 * tools. {@link SyncSmartflowClient} is the HTTP implementation; an application that embeds the gateway in-process
 * passes an implementation over its {@code Smartflow} pipeline instead (the {@code examples} module has one,
 * {@code InProcessGateway}), and its agents and workflows run unchanged.
 *
 * <p>Implementations are thread-safe; calls block and fail with {@link SmartflowException}s.
 */
public interface Gateway {
    /** A chat completion of {@code messages} under {@code options}. */
    AIResponse chatCompletions(List<Message> messages, ChatOptions options);

    /** A rule-based compliance scan of {@code content} under {@code policy}. */
    ComplianceResult checkCompliance(String content, String policy, ScanContext context);

    /** The {@code k} tools of the MCP catalog closest to {@code query}, each with its input schema. */
    List<McpTool> searchTools(String query, int k);

    /** Calls {@code tool} of the MCP server {@code serverId} with {@code arguments} (a JSON object). */
    ToolResult callTool(String serverId, String tool, JsonNode arguments);
}
