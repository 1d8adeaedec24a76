package dev.smartflow.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.smartflow.server.ClientHarness;
import dev.smartflow.server.Service;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SmartflowWorkflow}: templates, branching, compliance, cycles and failures, over a script and over HTTP. */
class SmartflowWorkflowTest {
    @TempDir
    Path data;

    /** The guide's content pipeline, with its three branches. */
    private static SmartflowWorkflow contentPipeline(Gateway gateway) {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("positive", "enhance");
        cases.put("negative", "review");
        cases.put("neutral", "publish");
        return new SmartflowWorkflow(gateway, "ContentPipeline")
                .addStep("analyze", "chat", Map.of("prompt", "Analyze the tone of: {input}", "model", "gpt-4o-mini"),
                        "compliance_check")
                .addStep("compliance_check", "compliance_check", Map.of("content", "{input}"), "route")
                .addStep("route", "condition", Map.of("field", "output", "cases", cases))
                .addStep("enhance", "chat", Map.of("prompt", "Make this even better: {input} (tone: {analyze})"))
                .addStep("review", "chat", Map.of("prompt", "Flag for review: {input}"))
                .addStep("publish", "chat", Map.of("prompt", "Publish: {input}"));
    }

    @Test
    void theGuidesPipelineFollowsTheBranchTheAnalysisNames() {
        ScriptedGateway gateway = new ScriptedGateway().answer("The tone is clearly positive.").answer("Enhanced!");
        AtomicLong nanos = new AtomicLong();
        SmartflowWorkflow workflow = contentPipeline(gateway).ticker(() -> nanos.getAndAdd(2_500_000));

        WorkflowResult result = workflow.execute(Map.of("input", "This product exceeded my expectations!"));

        assertTrue(result.success(), result.errors().toString());
        assertEquals(List.of("analyze", "compliance_check", "route", "enhance"), result.stepsExecuted());
        assertEquals("Enhanced!", result.output());
        assertEquals("Analyze the tone of: This product exceeded my expectations!",
                gateway.chatCalls.get(0).messages().getFirst().content());
        assertEquals("Make this even better: This product exceeded my expectations! (tone: The tone is clearly"
                + " positive.)", gateway.chatCalls.get(1).messages().getFirst().content());
        assertEquals("This product exceeded my expectations!", gateway.scanCalls.getFirst().content());
        assertEquals("gpt-4o-mini", gateway.chatCalls.get(0).options().model());
        assertEquals(20, result.totalTokens());
        assertEquals(200, result.totalCostMicros());
        assertEquals(0, new BigDecimal("0.02").compareTo(result.totalCostCents()));
        assertEquals(2.5, result.executionTimeMs());
    }

    @Test
    void theCaseNamedFirstInTheOutputWinsAndTheDefaultCatchesTheRest() {
        Map<String, Object> cases = Map.of("billing", "billing_step", "bug", "bug_step");
        SmartflowWorkflow workflow = new SmartflowWorkflow(new ScriptedGateway()
                .answer("This is a bug report, not billing.").answer("to engineering")
                .answer("no idea").answer("to the general queue"), "TicketFlow")
                .addStep("classify", "chat", Map.of("prompt", "Classify: {input}"), "route")
                .addStep("route", "condition", Map.of("field", "output", "cases", cases, "default", "general_step"))
                .addStep("billing_step", "chat", Map.of("prompt", "billing"))
                .addStep("bug_step", "chat", Map.of("prompt", "bug"))
                .addStep("general_step", "chat", Map.of("prompt", "general"));

        assertEquals(List.of("classify", "route", "bug_step"), workflow.execute(Map.of("input", "x"))
                .stepsExecuted());
        assertEquals(List.of("classify", "route", "general_step"), workflow.execute(Map.of("input", "y"))
                .stepsExecuted());
    }

    @Test
    void aConditionWithoutMatchOrDefaultEndsTheRun() {
        SmartflowWorkflow workflow = new SmartflowWorkflow(new ScriptedGateway().answer("meh"), "w")
                .addStep("a", "chat", Map.of("prompt", "{input}"), "route")
                .addStep("route", "condition", Map.of("cases", Map.of("great", "b")))
                .addStep("b", "chat", Map.of("prompt", "b"));

        WorkflowResult result = workflow.execute(Map.of("input", "x"));

        assertTrue(result.success());
        assertEquals(List.of("a", "route"), result.stepsExecuted());
        assertEquals("meh", result.output());
    }

    @Test
    void nextStepsRunInOrderDepthFirst() {
        ScriptedGateway gateway = new ScriptedGateway().answer("1").answer("2").answer("3").answer("4");
        WorkflowResult result = new SmartflowWorkflow(gateway, "fan-out")
                .addStep("start", "chat", Map.of("prompt", "go"), "left", "right")
                .addStep("left", "chat", Map.of("prompt", "after {output}"), "leaf")
                .addStep("right", "chat", Map.of("prompt", "right"))
                .addStep("leaf", "chat", Map.of("prompt", "leaf of {left}"))
                .execute(Map.of());

        assertEquals(List.of("start", "left", "leaf", "right"), result.stepsExecuted());
        assertEquals("leaf of 2", gateway.chatCalls.get(2).messages().getFirst().content());
    }

    @Test
    void aCycleIsFoundBeforeAnythingRuns() {
        ScriptedGateway gateway = new ScriptedGateway();
        WorkflowResult result = new SmartflowWorkflow(gateway, "loop")
                .addStep("a", "chat", Map.of("prompt", "a"), "b")
                .addStep("b", "condition", Map.of("cases", Map.of("again", "a"), "default", "c"))
                .addStep("c", "chat", Map.of("prompt", "c"))
                .execute(Map.of("input", "x"));

        assertFalse(result.success());
        assertEquals(List.of("cycle: a -> b -> a"), result.errors());
        assertTrue(result.stepsExecuted().isEmpty());
        assertTrue(gateway.chatCalls.isEmpty());
    }

    @Test
    void aMissingStepIsFoundBeforeAnythingRuns() {
        WorkflowResult result = new SmartflowWorkflow(new ScriptedGateway(), "w")
                .addStep("a", "chat", Map.of("prompt", "a"), "nowhere").execute(Map.of());

        assertEquals(List.of("a: no step named 'nowhere'"), result.errors());
    }

    @Test
    void aFailingStepIsCapturedAndEndsTheRun() {
        ScriptedGateway gateway = new ScriptedGateway().answer("fine")
                .fail(new ProviderException("HTTP 503 server_error: chain exhausted", 503, "server_error",
                        "chain_exhausted", "req_1", null));
        WorkflowResult result = new SmartflowWorkflow(gateway, "w")
                .addStep("a", "chat", Map.of("prompt", "a"), "b")
                .addStep("b", "chat", Map.of("prompt", "b"), "c")
                .addStep("c", "chat", Map.of("prompt", "c"))
                .execute(Map.of());

        assertFalse(result.success());
        assertEquals(List.of("a", "b"), result.stepsExecuted());
        assertEquals(List.of("b: HTTP 503 server_error: chain exhausted"), result.errors());
        assertEquals("fine", result.output());
    }

    @Test
    void aComplianceBlockFailsItsStep() {
        ScriptedGateway gateway = new ScriptedGateway().answer("SSN 123-45-6789")
                .verdict(ScriptedGateway.blocking("ssn"));
        WorkflowResult result = new SmartflowWorkflow(gateway, "w")
                .addStep("draft", "chat", Map.of("prompt", "{input}"), "check")
                .addStep("check", "compliance_check", Map.of("policy", "hipaa"), "send")
                .addStep("send", "chat", Map.of("prompt", "send {output}"))
                .execute(Map.of("input", "x"));

        assertFalse(result.success());
        assertEquals(List.of("draft", "check"), result.stepsExecuted());
        assertEquals("check: blocked by hipaa (ssn)", result.errors().getFirst());
        assertEquals("SSN 123-45-6789", gateway.scanCalls.getFirst().content(), "content defaults to {output}");
        assertEquals("hipaa", gateway.scanCalls.getFirst().policy());
    }

    @Test
    void aComplianceCheckMayOnlyRecord() {
        ScriptedGateway gateway = new ScriptedGateway().answer("x").answer("sent")
                .verdict(ScriptedGateway.blocking("email"));
        WorkflowResult result = new SmartflowWorkflow(gateway, "w")
                .addStep("draft", "chat", Map.of("prompt", "{input}"), "check")
                .addStep("check", "compliance_check", Map.of("fail_on_violation", false), "send")
                .addStep("send", "chat", Map.of("prompt", "send"))
                .execute(Map.of("input", "x"));

        assertTrue(result.success());
        assertEquals("violations: email", result.context().get("check"));
    }

    @Test
    void stepsAreCheckedWhenAdded() {
        SmartflowWorkflow workflow = new SmartflowWorkflow(new ScriptedGateway(), "w")
                .addStep("a", "chat", Map.of("prompt", "a"));
        assertThrows(IllegalArgumentException.class, () -> workflow.addStep("a", "chat", Map.of("prompt", "b")));
        assertThrows(IllegalArgumentException.class, () -> workflow.addStep("b", "dance", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> workflow.addStep("c", "chat", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> workflow.addStep("d", "condition", Map.of()));
    }

    @Test
    void overHttpAWorkflowRunsOnTheGateway() throws Exception {
        try (ClientHarness gateway = ClientHarness.start(data);
             SyncSmartflowClient client = new SyncSmartflowClient(gateway.url(Service.PROXY), ClientHarness.MASTER)) {
            WorkflowResult result = new SmartflowWorkflow(client, "http")
                    .addStep("greet", "chat", Map.of("prompt", "Say hello to {input}", "model", "gpt-4o-mini",
                            "temperature", 0.1), "route")
                    .addStep("route", "condition", Map.of("cases", Map.of("hello", "thank")))
                    .addStep("thank", "chat", Map.of("prompt", "Thank {input}", "model", "gpt-4o-mini"))
                    .execute(Map.of("input", "Ada"));

            assertTrue(result.success(), result.errors().toString());
            assertEquals(List.of("greet", "route", "thank"), result.stepsExecuted());
            assertEquals(24, result.totalTokens());
            assertTrue(result.totalCostMicros() > 0, "priced by the gateway");
            assertEquals("Say hello to Ada", new ObjectMapper()
                    .readTree(gateway.takeUpstreamRequest().getBody().utf8()).path("messages").path(0)
                    .path("content").asText());
        }
    }
}
