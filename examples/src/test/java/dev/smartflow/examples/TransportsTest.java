package dev.smartflow.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.smartflow.client.ChatOptions;
import dev.smartflow.client.ComplianceException;
import dev.smartflow.client.ComplianceResult;
import dev.smartflow.client.Gateway;
import dev.smartflow.client.McpTool;
import dev.smartflow.client.Message;
import dev.smartflow.client.ProviderException;
import dev.smartflow.client.ScanContext;
import dev.smartflow.client.SmartflowAgent;
import dev.smartflow.client.SmartflowException;
import dev.smartflow.client.SmartflowWorkflow;
import dev.smartflow.client.ToolResult;
import dev.smartflow.client.WorkflowResult;
import dev.smartflow.core.Smartflow;
import dev.smartflow.providers.ProviderRegistry;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * The same agent and workflow code over both transports: HTTP (the client against a local gateway) and in-process
 * ({@link InProcessGateway} over a {@code Smartflow} pipeline), each in front of a scripted provider.
 */
class TransportsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Answers with the system prompt's first word and the message, so a test sees what the model was given. */
    static final ScriptedUpstream.Replier ECHO = (model, system, last) ->
            (system.isEmpty() ? "" : system.split(" ")[0] + " ") + "heard: " + last;

    /** Application code that knows nothing of the transport. */
    static List<String> supportConversation(Gateway gateway) {
        SmartflowAgent agent = SmartflowAgent.builder(gateway).name("SupportBot").model("gpt-4o-mini")
                .systemPrompt("Support agent, be brief.").userId("user-123").orgId("acme").build();
        List<String> answers = new ArrayList<>();
        answers.add(agent.chat("How do I reset my password?"));
        answers.add(agent.chat("What if I forgot my email too?"));
        answers.add(Integer.toString(agent.messageCount()));
        return answers;
    }

    static WorkflowResult ticketFlow(Gateway gateway, String ticket) {
        return new SmartflowWorkflow(gateway, "TicketFlow")
                .addStep("classify", "chat", Map.of("prompt", "Classify this ticket: {input}", "model",
                        "gpt-4o-mini"), "route")
                .addStep("route", "condition", Map.of("field", "output", "cases", Map.of("invoice", "billing"),
                        "default", "general"))
                .addStep("billing", "chat", Map.of("prompt", "Billing reply to {input}", "model", "gpt-4o-mini"))
                .addStep("general", "chat", Map.of("prompt", "General reply to {input}", "model", "gpt-4o-mini"))
                .execute(Map.of("input", ticket));
    }

    private static Smartflow pipeline(ScriptedUpstream upstream) {
        return Smartflow.builder().resolver(ProviderRegistry.builder().environment(Map.of("OPENAI_API_KEY",
                "sk-test", "OPENAI_API_BASE", upstream.base())).build()).build();
    }

    @Test
    void theSameAgentCodeRunsOverHttpAndInProcess() throws Exception {
        List<String> expected = List.of("Support heard: How do I reset my password?",
                "Support heard: What if I forgot my email too?", "4");
        try (LocalGateway local = LocalGateway.start(ECHO)) {
            assertEquals(expected, supportConversation(local.client()));
            JsonNode second = local.upstream().orElseThrow().chats().get(1);
            assertEquals(4, second.path("messages").size(), "the memory reached the provider over HTTP");
            assertEquals("user-123", second.path("user").asText());
        }
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ECHO); Smartflow smartflow = pipeline(upstream)) {
            assertEquals(expected, supportConversation(InProcessGateway.builder(smartflow).build()));
            assertEquals(4, upstream.chats().get(1).path("messages").size(), "and in-process");
        }
    }

    @Test
    void theSameWorkflowBranchesAlikeOnBothTransports() throws Exception {
        try (LocalGateway local = LocalGateway.start(ECHO)) {
            WorkflowResult result = ticketFlow(local.client(), "Where is my invoice?");
            assertEquals(List.of("classify", "route", "billing"), result.stepsExecuted());
            assertTrue(result.totalCostMicros() > 0, "priced by the gateway");
        }
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ECHO); Smartflow smartflow = pipeline(upstream)) {
            InProcessGateway gateway = InProcessGateway.builder(smartflow).build();
            assertEquals(List.of("classify", "route", "billing"),
                    ticketFlow(gateway, "Where is my invoice?").stepsExecuted());
            WorkflowResult other = ticketFlow(gateway, "The app crashes");
            assertEquals(List.of("classify", "route", "general"), other.stepsExecuted());
            assertEquals("heard: General reply to The app crashes", other.output());
            assertEquals(2 * 2, upstream.chats().size());
        }
    }

    @Test
    void inProcessComplianceAndToolsComeFromTheBuilder() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start((model, system, last) -> last.contains("#7")
                ? "Filed as #7." : "calling a tool"); Smartflow smartflow = pipeline(upstream)) {
            List<String> scanned = new ArrayList<>();
            InProcessGateway gateway = InProcessGateway.builder(smartflow)
                    .compliance((content, policy, context) -> {
                        scanned.add(policy + ":" + context.userId().orElse("") + ":" + content);
                        boolean card = content.matches(".*\\d{4} \\d{4} \\d{4} \\d{4}.*");
                        return new ComplianceResult(card, card ? 0.1 : 1.0, card ? List.of("credit_card") : List.of(),
                                List.of(), card ? "critical" : "low", Optional.of(card ? "Block" : "Allow"), List.of(),
                                Optional.empty(), JSON.createObjectNode());
                    })
                    .build();
            SmartflowAgent agent = SmartflowAgent.builder(gateway).model("gpt-4o-mini")
                    .compliancePolicy("pci_dss_strict").enableComplianceScan(true).userId("customer_1").build();

            ComplianceException blocked = assertThrows(ComplianceException.class,
                    () -> agent.chat("My card is 4111 1111 1111 1111"));
            assertEquals(List.of("credit_card"), blocked.findingTypes());
            assertTrue(upstream.chats().isEmpty(), "the card never reached the provider");
            assertEquals("pci_dss_strict:customer_1:My card is 4111 1111 1111 1111", scanned.getFirst());
        }
    }

    @Test
    void inProcessToolCallsRunThroughTheToolSource() throws Exception {
        // the scripted provider cannot ask for tools, so the loop is driven by a tool-calling pipeline stand-in
        McpTool lookup = new McpTool("crm", "lookup", "Look a customer up", JSON.createObjectNode()
                .put("type", "object"), OptionalDouble.empty());
        List<String> calls = new ArrayList<>();
        InProcessGateway.ToolSource tools = new InProcessGateway.ToolSource() {
            @Override
            public List<McpTool> search(String query, int k) {
                return List.of(lookup);
            }

            @Override
            public ToolResult call(String serverId, String tool, JsonNode arguments) {
                calls.add(serverId + "." + tool + arguments);
                return new ToolResult(List.of(JSON.createObjectNode().put("type", "text").put("text", "Gold tier")),
                        false, Optional.empty());
            }
        };
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ECHO); Smartflow smartflow = pipeline(upstream)) {
            InProcessGateway gateway = InProcessGateway.builder(smartflow).tools(tools).build();
            assertEquals(List.of(lookup), gateway.searchTools("customer", 3));
            assertEquals("Gold tier", gateway.callTool("crm", "lookup", JSON.createObjectNode().put("id", 7)).text());
            assertEquals(List.of("crm.lookup{\"id\":7}"), calls);
            SmartflowAgent agent = SmartflowAgent.builder(gateway).model("gpt-4o-mini")
                    .toolsFromCatalog("customer", 1).build();
            agent.chat("Which tier is customer 7?");
            JsonNode sent = upstream.chats().getFirst();
            assertEquals("crm__lookup", sent.path("tools").path(0).path("function").path("name").asText(),
                    "the catalog's tools were offered to the model in-process");
        }
    }

    @Test
    void inProcessWithoutComplianceOrToolsSaysSo() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ECHO); Smartflow smartflow = pipeline(upstream)) {
            InProcessGateway gateway = InProcessGateway.builder(smartflow).build();
            SmartflowException e = assertThrows(SmartflowException.class,
                    () -> gateway.checkCompliance("x", "enterprise_standard", ScanContext.NONE));
            assertEquals("not_configured", e.type());
            assertTrue(gateway.searchTools("anything", 3).isEmpty());
        }
    }

    @Test
    void pipelineErrorsReachInProcessCallersAsTheClientsTypes() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (Smartflow smartflow = Smartflow.builder().resolver(ProviderRegistry.builder().environment(Map.of(
                "OPENAI_API_KEY", "sk-test", "OPENAI_API_BASE", "http://127.0.0.1:" + closed + "/v1")).build())
                .build()) {
            InProcessGateway gateway = InProcessGateway.builder(smartflow).build();
            ProviderException down = assertThrows(ProviderException.class, () -> gateway.chatCompletions(
                    List.of(Message.user("hi")), ChatOptions.model("gpt-4o-mini")));
            assertEquals(502, down.status().orElseThrow());
            SmartflowException unknown = assertThrows(SmartflowException.class, () -> gateway.chatCompletions(
                    List.of(Message.user("hi")), ChatOptions.model("no-such-model-here")));
            assertEquals(400, unknown.status().orElseThrow());
            assertFalse(unknown instanceof ProviderException);
        }
    }
}
