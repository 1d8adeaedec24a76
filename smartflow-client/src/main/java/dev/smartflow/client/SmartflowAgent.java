package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A conversational agent over a {@link Gateway} (the SDK guide's {@code SmartflowAgent}): a name, model, system
 * prompt and temperature; the conversation's memory; optional compliance scanning of what the user sends and what the
 * model answers; and tool calling through the gateway's MCP catalog.
 *
 * <pre>{@code
 * SmartflowAgent agent = SmartflowAgent.builder(client)            // a SyncSmartflowClient, or any Gateway
 *         .name("TechSupport").model("gpt-4o")
 *         .systemPrompt("You are a senior technical support engineer.")
 *         .compliancePolicy("enterprise_standard").enableComplianceScan(true)
 *         .userId("support_session_123").orgId("tech_company")
 *         .build();
 * String answer = agent.chat("My application keeps crashing");
 * int messages = agent.messageCount();
 * agent.clearHistory();
 * }</pre>
 *
 * <p><b>Compliance.</b> With scanning enabled, {@link #chat(String)} scans the message before it is sent and the
 * answer before it is returned ({@link Gateway#checkCompliance} under the agent's policy, user and org); a scan that
 * recommends blocking ({@link ComplianceResult#blocked()}) throws {@link ComplianceException} and leaves the history
 * as it was. A block by the gateway itself (403) surfaces the same way.
 *
 * <p><b>Tools.</b> Tools come from the catalog ({@link Builder#toolsFromCatalog}, found once, on the first chat) or
 * are given ({@link Builder#tool}). When the model asks for tool calls the agent runs each through
 * {@link Gateway#callTool}, feeds the results back (a refused or failed call as an error text the model can react
 * to), and asks again, at most {@link Builder#maxToolSteps} times per message; beyond that the chat fails with a
 * {@link SmartflowException} of type {@code tool_step_limit}.
 *
 * <p><b>Identity.</b> The user id is sent as the chat's {@code user} (the gateway's audit log records it); user and
 * org go with every compliance scan, where the behavioural layer uses them.
 *
 * <p>One agent is one conversation: calls are serialised, so concurrent {@code chat} calls take turns.
 */
public final class SmartflowAgent {
    /** OpenAI's limit on a function's name. */
    private static final int MAX_FUNCTION_NAME = 64;

    private final Gateway gateway;
    private final String name;
    private final ChatOptions options;
    private final String compliancePolicy;
    private final boolean complianceScan;
    private final ScanContext scanContext;
    private final Optional<String> catalogQuery;
    private final int catalogSize;
    private final List<McpTool> givenTools;
    private final int maxToolSteps;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Message> history = new ArrayList<>();
    private Map<String, McpTool> tools;
    private AIResponse last;

    private SmartflowAgent(Builder builder) {
        this.gateway = builder.gateway;
        this.name = builder.name;
        ChatOptions.Builder chat = ChatOptions.builder().model(builder.model).temperature(builder.temperature);
        builder.userId.ifPresent(chat::user);
        builder.maxTokens.ifPresent(chat::maxTokens);
        this.options = chat.build();
        this.compliancePolicy = builder.compliancePolicy;
        this.complianceScan = builder.complianceScan;
        this.scanContext = new ScanContext(builder.userId, builder.orgId, builder.context);
        this.catalogQuery = builder.catalogQuery;
        this.catalogSize = builder.catalogSize;
        this.givenTools = List.copyOf(builder.tools);
        this.maxToolSteps = builder.maxToolSteps;
        builder.systemPrompt.ifPresent(prompt -> history.add(Message.system(prompt)));
    }

    /** An agent that talks through {@code gateway}. */
    public static Builder builder(Gateway gateway) {
        return new Builder(gateway);
    }

    public String name() {
        return name;
    }

    /** Sends {@code message} with input and output scanning (when the agent scans); the answer's text. */
    public String chat(String message) {
        return chat(message, true, true);
    }

    /**
     * Sends {@code message} and returns the answer's text, remembering both.
     *
     * @param scanInput  scan the message first (when the agent scans)
     * @param scanOutput scan the answer before returning it (when the agent scans)
     * @throws ComplianceException when a scan, or the gateway, blocks; the history is left as it was
     * @throws SmartflowException  for any other failure; the history is left as it was
     */
    public String chat(String message, boolean scanInput, boolean scanOutput) {
        Objects.requireNonNull(message, "message");
        lock.lock();
        try {
            int before = history.size();
            try {
                if (complianceScan && scanInput) {
                    scan(message, "message");
                }
                history.add(Message.user(message));
                AIResponse response = complete();
                if (complianceScan && scanOutput) {
                    scan(response.content(), "answer");
                }
                history.add(Message.assistant(response.content()));
                last = response;
                return response.content();
            } catch (RuntimeException e) {
                history.subList(before, history.size()).clear();
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Asks the model, running the tool calls it asks for, until it answers in words. */
    private AIResponse complete() {
        Map<String, McpTool> available = tools();
        ChatOptions call = available.isEmpty() ? options : options.toBuilder().tools(definitions(available)).build();
        for (int step = 0; ; step++) {
            AIResponse response = gateway.chatCompletions(history, call);
            if (response.toolCalls().isEmpty()) {
                return response;
            }
            if (step >= maxToolSteps) {
                throw new SmartflowException("agent " + name + " stopped after " + maxToolSteps
                        + " rounds of tool calls without an answer", 0, "tool_step_limit", "tool_step_limit");
            }
            history.add(Message.assistant(response.content(), response.toolCalls()));
            for (ToolCall toolCall : response.toolCalls()) {
                history.add(Message.tool(toolCall.id(), run(available, toolCall)));
            }
        }
    }

    /** The tool's text result, or an error text the model can read. */
    private String run(Map<String, McpTool> available, ToolCall call) {
        McpTool tool = available.get(call.name());
        if (tool == null) {
            return "error: no tool named " + call.name();
        }
        JsonNode arguments;
        try {
            arguments = call.arguments().isBlank() ? Json.object() : Json.MAPPER.readTree(call.arguments());
        } catch (IOException e) {
            return "error: the arguments are not valid JSON";
        }
        try {
            ToolResult result = gateway.callTool(tool.serverId(), tool.name(), arguments);
            return result.isError() ? "error: " + result.text() : result.text();
        } catch (ComplianceException e) {
            throw e;
        } catch (SmartflowException e) {
            return "error: " + e.getMessage();
        }
    }

    private Map<String, McpTool> tools() {
        if (tools == null) {
            Map<String, McpTool> found = new LinkedHashMap<>();
            givenTools.forEach(tool -> found.put(functionName(tool), tool));
            catalogQuery.ifPresent(query -> gateway.searchTools(query, catalogSize)
                    .forEach(tool -> found.putIfAbsent(functionName(tool), tool)));
            tools = found;
        }
        return tools;
    }

    /** {@code server__tool} with only the characters OpenAI allows in a function name, at most 64 of them. */
    static String functionName(McpTool tool) {
        String name = (tool.serverId() + "__" + tool.name()).replaceAll("[^A-Za-z0-9_-]", "_");
        return name.length() > MAX_FUNCTION_NAME ? name.substring(0, MAX_FUNCTION_NAME) : name;
    }

    private static List<JsonNode> definitions(Map<String, McpTool> tools) {
        List<JsonNode> definitions = new ArrayList<>();
        tools.forEach((function, tool) -> {
            ObjectNode definition = Json.object().put("type", "function");
            definition.putObject("function").put("name", function).put("description", tool.description())
                    .set("parameters", tool.inputSchema());
            definitions.add(definition);
        });
        return definitions;
    }

    private void scan(String content, String what) {
        ComplianceResult result = gateway.checkCompliance(content, compliancePolicy, scanContext);
        if (result.blocked()) {
            throw new ComplianceException("the " + what + " was blocked by compliance policy " + compliancePolicy
                    + (result.findingTypes().isEmpty() ? "" : " (" + String.join(", ", result.findingTypes()) + ")"),
                    result);
        }
    }

    /** Forgets the conversation, keeping the system prompt. */
    public void clearHistory() {
        lock.lock();
        try {
            history.removeIf(message -> !message.role().equals("system"));
        } finally {
            lock.unlock();
        }
    }

    /** A copy of the conversation, the system prompt first (tool calls and results included). */
    public List<Message> getHistory() {
        lock.lock();
        try {
            return List.copyOf(history);
        } finally {
            lock.unlock();
        }
    }

    /** How many messages the conversation holds, the system prompt not counted. */
    public int messageCount() {
        lock.lock();
        try {
            return (int) history.stream().filter(message -> !message.role().equals("system")).count();
        } finally {
            lock.unlock();
        }
    }

    /** The last answer, with its usage, cost and cache facts; empty before the first. */
    public Optional<AIResponse> lastResponse() {
        lock.lock();
        try {
            return Optional.ofNullable(last);
        } finally {
            lock.unlock();
        }
    }

    /** Configures a {@link SmartflowAgent}; not thread-safe. */
    public static final class Builder {
        private final Gateway gateway;
        private String name = "agent";
        private String model = ChatOptions.DEFAULT_MODEL;
        private Optional<String> systemPrompt = Optional.empty();
        private double temperature = ChatOptions.DEFAULT_TEMPERATURE;
        private Optional<Integer> maxTokens = Optional.empty();
        private String compliancePolicy = "enterprise_standard";
        private boolean complianceScan;
        private Optional<String> userId = Optional.empty();
        private Optional<String> orgId = Optional.empty();
        private Optional<String> context = Optional.empty();
        private Optional<String> catalogQuery = Optional.empty();
        private int catalogSize = 5;
        private final List<McpTool> tools = new ArrayList<>();
        private int maxToolSteps = 5;

        private Builder(Gateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
        }

        public Builder name(String value) {
            this.name = Objects.requireNonNull(value, "name");
            return this;
        }

        public Builder model(String value) {
            this.model = Objects.requireNonNull(value, "model");
            return this;
        }

        public Builder systemPrompt(String value) {
            this.systemPrompt = Optional.of(value);
            return this;
        }

        /** @throws IllegalArgumentException outside 0..2 */
        public Builder temperature(double value) {
            if (!(value >= 0 && value <= 2)) {
                throw new IllegalArgumentException("temperature must be within 0..2, not " + value);
            }
            this.temperature = value;
            return this;
        }

        public Builder maxTokens(int value) {
            this.maxTokens = Optional.of(value);
            return this;
        }

        /** The policy scans run under; {@code enterprise_standard} by default. */
        public Builder compliancePolicy(String value) {
            this.compliancePolicy = Objects.requireNonNull(value, "compliancePolicy");
            return this;
        }

        /** Whether {@link SmartflowAgent#chat} scans messages and answers; off by default. */
        public Builder enableComplianceScan(boolean value) {
            this.complianceScan = value;
            return this;
        }

        public Builder userId(String value) {
            this.userId = Optional.of(value);
            return this;
        }

        public Builder orgId(String value) {
            this.orgId = Optional.of(value);
            return this;
        }

        /** The context compliance scans are made in, e.g. {@code customer_support}. */
        public Builder scanContext(String value) {
            this.context = Optional.of(value);
            return this;
        }

        /** Offers the model the {@code k} catalog tools that best match {@code query} (looked up on the first chat). */
        public Builder toolsFromCatalog(String query, int k) {
            if (k < 1) {
                throw new IllegalArgumentException("k must be positive, not " + k);
            }
            this.catalogQuery = Optional.of(query);
            this.catalogSize = k;
            return this;
        }

        /** Offers the model {@code tool}. */
        public Builder tool(McpTool tool) {
            tools.add(Objects.requireNonNull(tool, "tool"));
            return this;
        }

        /** How many rounds of tool calls one message may take; 5 by default. */
        public Builder maxToolSteps(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxToolSteps must be positive, not " + value);
            }
            this.maxToolSteps = value;
            return this;
        }

        public SmartflowAgent build() {
            return new SmartflowAgent(this);
        }
    }
}
