package dev.smartflow.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.testkit.FakeClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each example of the SDK guide, run end to end against a local gateway (in-process, every module on the class path)
 * in front of a scripted model, as {@code examples/run.sh} runs it.
 */
class ExamplesTest {
    @Test
    void theQuickStartChatsStreamsAndReportsHealth() {
        try (LocalGateway gateway = LocalGateway.start((model, system, message) -> model + " says hi to " + message)) {
            String out = QuickStart.run(gateway);

            List<String> lines = out.lines().toList();
            assertEquals("gpt-4o says hi to What is machine learning?", lines.get(0));
            assertEquals("gpt-4o says hi to Explain quantum computing in simple terms", lines.get(1));
            assertEquals("gpt-4o says hi to Tell me a story about a robot", lines.get(2), "streamed, joined");
            assertTrue(lines.get(3).startsWith("Tokens used: "), lines.get(3));
            assertTrue(lines.get(3).contains("served by openai"), lines.get(3));
            assertEquals("Gateway: healthy", lines.get(4));
            assertTrue(lines.get(5).startsWith(gateway.hasModule("cache") ? "Cache hit rate" : "Cache: the cache"));
        }
    }

    @Test
    void theSupportBotBlocksACardNumberBeforeItReachesTheModel() {
        try (LocalGateway gateway = LocalGateway.start((model, system, message) -> "Happy to help.")) {
            assumeTrue(gateway.hasModule("compliance"), "the compliance module is not on the class path yet; "
                    + SecureSupportBot.NO_COMPLIANCE);

            List<String> transcript = SecureSupportBot.handleSession(gateway.client(), "12345", "fintech_corp",
                    SecureSupportBot.SCRIPTED_CUSTOMER);

            assertEquals("Support: Happy to help.", transcript.get(1));
            assertEquals(SecureSupportBot.SECURE_CHANNEL, transcript.get(3));
            assertEquals("Support: Happy to help.", transcript.get(5));
            List<JsonNode> chats = gateway.upstream().orElseThrow().chats();
            assertFalse(chats.toString().contains("4111 1111 1111 1111"), "the card never reached the provider");
            assertEquals("customer_12345", chats.getFirst().path("user").asText());
        }
    }

    @Test
    void withoutTheComplianceModuleTheSupportBotSaysWhatItNeeds() throws Exception {
        try (LocalGateway gateway = LocalGateway.start((model, system, message) -> "Happy to help.")) {
            assumeFalse(gateway.hasModule("compliance"), "the compliance module is installed");
        }
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            SecureSupportBot.main(new String[0]);
        } finally {
            System.setOut(out);
        }
        assertEquals(SecureSupportBot.NO_COMPLIANCE, printed.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void theCataloguePipelineDescribesEveryProductAndCountsWhatTheCacheSaved() {
        try (LocalGateway gateway = LocalGateway.start((model, system, message) -> "A fine product. Buy it now.")) {
            boolean cache = gateway.hasModule("cache");

            CataloguePipeline.Summary summary = CataloguePipeline.processCatalog(gateway.client(),
                    CataloguePipeline.CATALOGUE, cache);

            assertEquals(4, summary.totalProducts());
            assertEquals(4, summary.results().size());
            summary.results().forEach(r -> assertEquals("A fine product. Buy it now.", r.text()));
            int sentToModel = gateway.upstream().orElseThrow().chats().size();
            assertEquals(4 - summary.cached(), sentToModel, "every cached description skipped the model");
            if (cache) {
                assertEquals(2, summary.cached(), "the two repeated products were answered by the cache");
                assertTrue(summary.costSavedCents().orElseThrow().signum() > 0, summary.toString());
            } else {
                assertEquals(0, summary.cached());
                assertTrue(summary.costSavedCents().isEmpty());
                assertTrue(summary.tokensUsed() > 0);
            }
        }
    }

    @Test
    void theResearchReportPassesWorkAlongAndCarriesItsAuditTrail() {
        try (LocalGateway gateway = LocalGateway.start(ResearchReport::scriptedRole)) {
            FakeClock clock = new FakeClock(Instant.parse("2026-03-05T09:00:00Z"));

            ResearchReport.Report report = ResearchReport.researchTopic(gateway.client(),
                    "AI agents in enterprise 2026", "deep", clock);

            assertEquals(List.of("Researcher", "Analyst", "Writer", "Editor"), report.agentsUsed());
            assertTrue(report.report().startsWith("Polished report"), report.report());
            assertEquals(Instant.parse("2026-03-05T09:00:00Z"), report.timestamp());
            List<JsonNode> chats = gateway.upstream().orElseThrow().chats();
            assertEquals(4, chats.size());
            assertTrue(chats.get(1).path("messages").path(1).path("content").asText().contains("Findings"),
                    "the analyst got the researcher's findings");
            assertEquals(0.3, chats.get(3).path("temperature").asDouble(), "the editor's own temperature");
            assertEquals(4, report.auditTrail().size());
            report.auditTrail().forEach(entry -> {
                assertEquals("gpt-4o", entry.model());
                assertTrue(entry.tokens() > 0);
                assertEquals("research_system", entry.userId());
            });
        }
    }

    @Test
    void aQuickResearchUsesOneAgent() {
        try (LocalGateway gateway = LocalGateway.start(ResearchReport::scriptedRole)) {
            ResearchReport.Report report = ResearchReport.researchTopic(gateway.client(), "topic", "quick",
                    new FakeClock());
            assertEquals(List.of("Researcher"), report.agentsUsed());
            assertEquals(1, report.auditTrail().size());
        }
    }
}
