package dev.smartflow.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.client.AIResponse;
import dev.smartflow.client.ChatOptions;
import dev.smartflow.client.ComplianceResult;
import dev.smartflow.client.Gateway;
import dev.smartflow.client.McpTool;
import dev.smartflow.client.Message;
import dev.smartflow.client.ScanContext;
import dev.smartflow.client.SmartflowException;
import dev.smartflow.client.ToolResult;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.model.ChatRequest;
import dev.smartflow.core.model.ChatResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The client's {@link Gateway} over an in-process {@link Smartflow} pipeline: a {@code SmartflowAgent} or
 * {@code SmartflowWorkflow} built on it runs exactly as it does over HTTP, each chat going through the same stages
 * (keys, budgets, routing, audit) without a network hop. The gateway's errors reach the agent as the client's
 * exception types ({@code RateLimitException}, {@code ProviderException}, ...).
 *
 * <pre>{@code
 * Gateway gateway = InProcessGateway.builder(smartflow).build();            // or: new SyncSmartflowClient(url, key)
 * SmartflowAgent agent = SmartflowAgent.builder(gateway).model("gpt-4o-mini").build();
 * }</pre>
 *
 * <p>Compliance scans and MCP tools are modules of their own; in-process they come from the {@link ComplianceCheck}
 * and {@link ToolSource} given to the builder. Without them a scan or a tool call fails with a
 * {@link SmartflowException} of type {@code not_configured}, and the tool catalog is empty. Extra request headers of
 * {@link ChatOptions} do not apply in-process.
 */
public final class InProcessGateway implements Gateway {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A compliance scan the application provides in-process. */
    @FunctionalInterface
    public interface ComplianceCheck {
        ComplianceResult check(String content, String policy, ScanContext context);
    }

    /** MCP tools the application provides in-process. */
    public interface ToolSource {
        List<McpTool> search(String query, int k);

        ToolResult call(String serverId, String tool, JsonNode arguments);
    }

    private final Smartflow smartflow;
    private final ComplianceCheck compliance;
    private final ToolSource tools;

    private InProcessGateway(Smartflow smartflow, ComplianceCheck compliance, ToolSource tools) {
        this.smartflow = smartflow;
        this.compliance = compliance;
        this.tools = tools;
    }

    public static Builder builder(Smartflow smartflow) {
        return new Builder(smartflow);
    }

    @Override
    public AIResponse chatCompletions(List<Message> messages, ChatOptions options) {
        ChatRequest request = ChatRequest.fromJson(options.requestBody(messages).toString());
        ChatResponse response;
        try {
            response = smartflow.chat(request);
        } catch (dev.smartflow.core.error.SmartflowException e) {
            throw translate(e);
        }
        return AIResponse.from(response.json(), response.headers()::get);
    }

    /** The pipeline's error as the client's: the same status, type, code and headers the server would send. */
    static SmartflowException translate(dev.smartflow.core.error.SmartflowException e) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error").put("message", e.getMessage()).put("type", e.type());
        e.code().ifPresent(code -> error.put("code", code));
        e.param().ifPresent(param -> error.put("param", param));
        Map<String, String> headers = new HashMap<>();
        e.headers().forEach(headers::put);
        return SmartflowException.fromAnswer(e.status(), body, headers);
    }

    @Override
    public ComplianceResult checkCompliance(String content, String policy, ScanContext context) {
        if (compliance == null) {
            throw notConfigured("compliance scans");
        }
        return compliance.check(content, policy, context);
    }

    @Override
    public List<McpTool> searchTools(String query, int k) {
        return tools == null ? List.of() : tools.search(query, k);
    }

    @Override
    public ToolResult callTool(String serverId, String tool, JsonNode arguments) {
        if (tools == null) {
            throw notConfigured("MCP tools");
        }
        return tools.call(serverId, tool, arguments);
    }

    private static SmartflowException notConfigured(String what) {
        return new SmartflowException(what + " are not configured in-process: pass them to"
                + " InProcessGateway.builder(...)", 0, "not_configured", "not_configured");
    }

    /** Configures an {@link InProcessGateway}. */
    public static final class Builder {
        private final Smartflow smartflow;
        private ComplianceCheck compliance;
        private ToolSource tools;

        private Builder(Smartflow smartflow) {
            this.smartflow = Objects.requireNonNull(smartflow, "smartflow");
        }

        public Builder compliance(ComplianceCheck check) {
            this.compliance = Objects.requireNonNull(check, "compliance");
            return this;
        }

        public Builder tools(ToolSource source) {
            this.tools = Objects.requireNonNull(source, "tools");
            return this;
        }

        public InProcessGateway build() {
            return new InProcessGateway(smartflow, compliance, tools);
        }
    }
}
