package dev.smartflow.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.smartflow.server.ClientHarness;
import dev.smartflow.server.Service;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SmartflowAgent}: memory, compliance scanning, tool calls and identity, over a script and over HTTP. */
class SmartflowAgentTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    private static McpTool createIssue() {
        return new McpTool("github-tools", "create_issue", "Create a GitHub issue",
                Json.object().put("type", "object"), OptionalDouble.of(0.9));
    }

    @Test
    void theAgentRemembersTheConversationAndSendsItWhole() {
        ScriptedGateway gateway = new ScriptedGateway().answer("Which framework?").answer("Check memory limits.");
        SmartflowAgent agent = SmartflowAgent.builder(gateway).name("TechSupport").model("gpt-4o")
                .systemPrompt("You are a senior technical support engineer.").temperature(0.2).build();

        agent.chat("My application keeps crashing");
        String answer = agent.chat("It's a Python web app using Flask");

        assertEquals("Check memory limits.", answer);
        List<Message> second = gateway.chatCalls.get(1).messages();
        assertEquals(List.of("system", "user", "assistant", "user"), second.stream().map(Message::role).toList());
        assertEquals("Which framework?", second.get(2).content());
        assertEquals(4, agent.messageCount());
        assertEquals(0.2, gateway.chatCalls.get(1).options().temperature().orElseThrow());
        assertEquals("gpt-4o", gateway.chatCalls.get(1).options().model());
    }

    @Test
    void clearingTheHistoryKeepsTheSystemPrompt() {
        ScriptedGateway gateway = new ScriptedGateway().answer("a").answer("b");
        SmartflowAgent agent = SmartflowAgent.builder(gateway).systemPrompt("Be brief.").build();
        agent.chat("one");
        List<Message> copy = agent.getHistory();

        agent.clearHistory();

        assertEquals(0, agent.messageCount());
        assertEquals(List.of(Message.system("Be brief.")), agent.getHistory());
        assertEquals(3, copy.size(), "getHistory returned a copy");
        agent.chat("two");
        assertEquals(2, gateway.chatCalls.get(1).messages().size());
    }

    @Test
    void aBlockedMessageNeverReachesTheModelAndLeavesTheHistoryAlone() {
        ScriptedGateway gateway = new ScriptedGateway().verdict(ScriptedGateway.blocking("credit_card"));
        SmartflowAgent agent = SmartflowAgent.builder(gateway).compliancePolicy("pci_dss_strict")
                .enableComplianceScan(true).userId("customer_12345").orgId("fintech_corp").build();

        ComplianceException e = assertThrows(ComplianceException.class,
                () -> agent.chat("My card is 4111 1111 1111 1111"));

        assertEquals(List.of("credit_card"), e.findingTypes());
        assertTrue(gateway.chatCalls.isEmpty());
        assertEquals(0, agent.messageCount());
        ScriptedGateway.ScanCall scan = gateway.scanCalls.getFirst();
        assertEquals("pci_dss_strict", scan.policy());
        assertEquals(ScanContext.of("customer_12345", "fintech_corp"), scan.context());
    }

    @Test
    void aBlockedAnswerIsWithheldAndForgotten() {
        ScriptedGateway gateway = new ScriptedGateway().answer("The SSN on file is 123-45-6789")
                .verdict(ScriptedGateway.compliant()).verdict(ScriptedGateway.blocking("ssn"));
        SmartflowAgent agent = SmartflowAgent.builder(gateway).enableComplianceScan(true).build();

        assertThrows(ComplianceException.class, () -> agent.chat("What is my SSN?"));

        assertEquals(2, gateway.scanCalls.size());
        assertEquals("The SSN on file is 123-45-6789", gateway.scanCalls.get(1).content());
        assertEquals(0, agent.messageCount());
    }

    @Test
    void scanningCanBeSkippedPerMessage() {
        ScriptedGateway gateway = new ScriptedGateway().answer("ok");
        SmartflowAgent agent = SmartflowAgent.builder(gateway).enableComplianceScan(true).build();

        agent.chat("internal note", false, false);

        assertTrue(gateway.scanCalls.isEmpty());
    }

    @Test
    void toolCallsAreRunAndTheirResultsFedBack() {
        ScriptedGateway gateway = new ScriptedGateway()
                .answerWithToolCalls(new ToolCall("call_1", "github-tools__create_issue",
                        "{\"repo\":\"my-org/my-repo\",\"title\":\"Bug\"}"))
                .answer("Created issue #7.");
        gateway.catalog.add(createIssue());
        gateway.toolResults.add(new ToolResult(List.of(Json.object().put("type", "text").put("text", "#7")), false,
                Optional.empty()));
        SmartflowAgent agent = SmartflowAgent.builder(gateway).toolsFromCatalog("create github issue", 3).build();

        assertEquals("Created issue #7.", agent.chat("File a bug about login"));

        ScriptedGateway.ToolInvocation call = gateway.toolCalls.getFirst();
        assertEquals("github-tools", call.serverId());
        assertEquals("create_issue", call.tool());
        assertEquals("my-org/my-repo", call.arguments().path("repo").asText());
        JsonNode tool = gateway.chatCalls.getFirst().options().tools().getFirst();
        assertEquals("github-tools__create_issue", tool.path("function").path("name").asText());
        List<Message> second = gateway.chatCalls.get(1).messages();
        Message result = second.getLast();
        assertEquals("tool", result.role());
        assertEquals(Optional.of("call_1"), result.toolCallId());
        assertEquals("#7", result.content());
        assertEquals(4, agent.messageCount(), "user, assistant tool call, tool result, answer");
    }

    @Test
    void aRefusedToolCallIsReportedToTheModel() {
        ScriptedGateway gateway = new ScriptedGateway()
                .answerWithToolCalls(new ToolCall("call_1", "github-tools__create_issue", "{}"),
                        new ToolCall("call_2", "nowhere__nothing", "{}"))
                .answer("Sorry, I could not.");
        gateway.catalog.add(createIssue());
        gateway.toolResults.add(new SmartflowException("tool github-tools.create_issue refused: not allowed", 200,
                "mcp_error", "-32602"));
        SmartflowAgent agent = SmartflowAgent.builder(gateway).tool(createIssue()).build();

        agent.chat("File a bug");

        List<Message> fed = gateway.chatCalls.get(1).messages();
        assertTrue(fed.get(fed.size() - 2).content().startsWith("error: tool github-tools.create_issue refused"));
        assertEquals("error: no tool named nowhere__nothing", fed.getLast().content());
    }

    @Test
    void toolRoundsStopAtTheCap() {
        ScriptedGateway gateway = new ScriptedGateway();
        for (int i = 0; i < 3; i++) {
            gateway.answerWithToolCalls(new ToolCall("call_" + i, "github-tools__create_issue", "{}"));
        }
        SmartflowAgent agent = SmartflowAgent.builder(gateway).tool(createIssue()).maxToolSteps(2).build();

        SmartflowException e = assertThrows(SmartflowException.class, () -> agent.chat("loop forever"));

        assertEquals("tool_step_limit", e.type());
        assertEquals(3, gateway.chatCalls.size());
        assertEquals(2, gateway.toolCalls.size());
        assertEquals(0, agent.messageCount(), "the failed turn is forgotten");
    }

    @Test
    void overHttpTheAgentsMemoryAndUserReachTheGateway() throws Exception {
        try (ClientHarness gateway = ClientHarness.start(data);
             SyncSmartflowClient client = new SyncSmartflowClient(gateway.url(Service.PROXY), ClientHarness.MASTER)) {
            SmartflowAgent agent = SmartflowAgent.builder(client).model("gpt-4o-mini").systemPrompt("Be kind.")
                    .userId("support_session_123").orgId("tech_company").build();

            agent.chat("first");
            agent.chat("second");

            gateway.takeUpstreamRequest();
            JsonNode sent = JSON.readTree(gateway.takeUpstreamRequest().getBody().utf8());
            assertEquals(4, sent.path("messages").size());
            assertEquals("Hello from upstream", sent.path("messages").path(2).path("content").asText());
            assertEquals("support_session_123", sent.path("user").asText());
            String id = agent.lastResponse().orElseThrow().requestId().orElseThrow();
            gateway.awaitAudited(id);
            assertEquals(Optional.of("support_session_123"), gateway.audited().stream()
                    .filter(r -> r.requestId().equals(id)).findFirst().orElseThrow().userId());
        }
    }

    @Test
    void overHttpAComplianceServiceBlockStopsTheMessage() throws Exception {
        try (ClientHarness gateway = ClientHarness.start(data); MockWebServer compliance = new MockWebServer()) {
            compliance.enqueue(new MockResponse.Builder().addHeader("content-type", "application/json").body("""
                    {"has_violations":true,"compliance_score":0.1,"risk_level":"critical",\
                    "recommended_action":"Block","violations":["credit_card"],"pii_detected":["credit_card"]}""")
                    .build());
            compliance.start();
            try (SyncSmartflowClient client = SmartflowClient.builder().baseUrl(gateway.url(Service.PROXY))
                    .apiKey(ClientHarness.MASTER).complianceUrl(compliance.url("/").toString()).buildSync()) {
                SmartflowAgent agent = SmartflowAgent.builder(client).model("gpt-4o-mini")
                        .compliancePolicy("pci_dss_strict").enableComplianceScan(true)
                        .userId("customer_1").orgId("fintech_corp").build();

                assertThrows(ComplianceException.class, () -> agent.chat("card 4111 1111 1111 1111"));

                RecordedRequest scan = compliance.takeRequest();
                assertEquals("/api/compliance/scan", scan.getUrl().encodedPath());
                JsonNode body = JSON.readTree(scan.getBody().utf8());
                assertEquals("pci_dss_strict", body.path("policy").asText());
                assertEquals("fintech_corp", body.path("org_id").asText());
                assertEquals(0, gateway.upstream().getRequestCount(), "nothing reached the provider");
            }
        }
    }

    @Test
    void overHttpToolsComeFromTheCatalogAndRunThroughTheMcpEndpoint() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            List<String> paths = new ArrayList<>();
            server.setDispatcher(new mockwebserver3.Dispatcher() {
                private int chats;

                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    paths.add(request.getMethod() + " " + request.getUrl().encodedPath());
                    String body = switch (request.getUrl().encodedPath()) {
                        case "/api/mcp/tools/search" -> "{\"results\":[{\"server_id\":\"github-tools\","
                                + "\"name\":\"create_issue\",\"description\":\"Create an issue\",\"score\":0.9}]}";
                        case "/github-tools/mcp/" -> "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":"
                                + "[{\"type\":\"text\",\"text\":\"Issue #7 created\"}]}}";
                        default -> chats++ == 0 ? """
                                {"id":"c1","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant",\
                                "content":null,"tool_calls":[{"id":"call_1","type":"function","function":\
                                {"name":"github-tools__create_issue","arguments":"{\\"title\\":\\"Bug\\"}"}}]},\
                                "finish_reason":"tool_calls"}]}""" : """
                                {"id":"c2","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant",\
                                "content":"Done: Issue #7 created"},"finish_reason":"stop"}]}""";
                    };
                    return new MockResponse.Builder().addHeader("content-type", "application/json").body(body).build();
                }
            });
            server.start();
            try (SyncSmartflowClient client = new SyncSmartflowClient(server.url("/").toString(), "sk-sf-agent")) {
                SmartflowAgent agent = SmartflowAgent.builder(client).toolsFromCatalog("create github issue", 3)
                        .build();

                assertEquals("Done: Issue #7 created", agent.chat("File a bug"));
            }
            assertEquals(List.of("GET /api/mcp/tools/search", "POST /v1/chat/completions", "POST /github-tools/mcp/",
                    "POST /v1/chat/completions"), paths);
        }
    }
}
