package dev.smartflow.compliance.intel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.compliance.BuiltInPolicies;
import dev.smartflow.compliance.ComplianceEngine;
import dev.smartflow.compliance.CompliancePolicy;
import dev.smartflow.compliance.RecommendedAction;
import dev.smartflow.compliance.RiskLevel;
import dev.smartflow.compliance.redact.PseudonymKeys;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.testkit.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IntelligentEngineTest {
    private static final CompliancePolicy POLICY = BuiltInPolicies.named("enterprise_standard").orElseThrow();
    private final FakeClock clock = new FakeClock();
    private final InMemorySharedState state = new InMemorySharedState(clock, Runnable::run);
    private final ComplianceEngine rules = ComplianceEngine.builder().keys(PseudonymKeys.random()).build();
    private final IntelligentEngine engine = new IntelligentEngine(rules,
            Optional.of(new SimilarityLayer(new WordsEmbedder(), state)), new Baselines(state, clock, 7), state,
            clock);

    @AfterEach
    void close() {
        state.close();
    }

    private IntelligentResult scan(String content, String tenant, String user) {
        return engine.scan(content, POLICY, tenant, tenant, Optional.of(user));
    }

    @Test
    void theSdkGuidesExampleIsHighAndBlocked() {
        IntelligentResult result = scan("My SSN is 123-45-6789", "org:acme-corp", "user-123");
        assertEquals(RiskLevel.HIGH, result.riskLevel());
        assertEquals(RecommendedAction.BLOCK, result.action());
        assertTrue(result.hasViolations());
        assertTrue(result.explanation().contains("ssn"), result.explanation());
        assertTrue(result.scanId().matches("scan_[0-9a-f]{24}"));
    }

    @Test
    void aSecretIsBlockedByThePolicyWhateverTheRisk() {
        IntelligentResult result = scan("token ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "t", "u");
        assertEquals(RecommendedAction.BLOCK, result.action());
        assertTrue(result.explanation().contains("policy blocks"), result.explanation());
    }

    @Test
    void aCleanTextIsAllowed() {
        IntelligentResult result = scan("What is the capital of France?", "t", "u");
        assertFalse(result.hasViolations());
        assertEquals(RecommendedAction.ALLOW, result.action());
        assertEquals(0.0, result.riskScore());
    }

    @Test
    void aFalsePositiveSuppressesTheSameValueInLaterScansOfTheTenantOnly() {
        IntelligentResult first = scan("Call me at 555-0100", "org:acme", "admin_user");
        assertEquals(RecommendedAction.ALLOW_AND_LOG, first.action());
        assertTrue(first.riskScore() > 0);

        assertTrue(engine.feedback("org:acme", new IntelligentEngine.Feedback(first.scanId(), Optional.of(true),
                Optional.empty(), Optional.empty(), Optional.of("admin_user"),
                Optional.of("555-0100 is a known test number"))).isPresent());

        IntelligentResult later = scan("Please call me at 555-0100 again", "org:acme", "admin_user");
        assertEquals(0, later.regex().size());
        assertEquals(1, later.suppressed());
        assertTrue(later.riskScore() < first.riskScore(), later.riskScore() + " < " + first.riskScore());
        assertEquals(RecommendedAction.ALLOW, later.action());

        IntelligentResult otherTenant = scan("Call me at 555-0100", "org:globex", "someone");
        assertEquals(1, otherTenant.regex().size(), "feedback of one tenant changes nothing for another");
        assertTrue(engine.feedbackOf("org:acme", first.scanId()).orElseThrow().path("is_false_positive")
                .asBoolean());
    }

    @Test
    void feedbackOnAnotherTenantsScanOrAnUnknownScanIsRefused() {
        IntelligentResult scan = scan("Call me at 555-0100", "org:acme", "u");
        IntelligentEngine.Feedback feedback = new IntelligentEngine.Feedback(scan.scanId(), Optional.of(true),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        assertTrue(engine.feedback("org:globex", feedback).isEmpty());
        assertTrue(engine.feedback("org:acme", new IntelligentEngine.Feedback("scan_000000000000000000000000",
                Optional.of(true), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())).isEmpty());
    }

    @Test
    void aConfirmedViolationTeachesLayerTwoAPattern() {
        String content = "move the quarterly numbers to my private dropbox tonight before the audit starts";
        IntelligentResult first = scan(content, "org:acme", "u");
        assertTrue(first.ml().isEmpty());
        assertEquals(RecommendedAction.ALLOW, first.action());

        engine.feedback("org:acme", new IntelligentEngine.Feedback(first.scanId(), Optional.of(false),
                Optional.of(RecommendedAction.BLOCK), Optional.of(RiskLevel.HIGH), Optional.empty(),
                Optional.empty()));

        IntelligentResult later = scan("please move the quarterly numbers to my private dropbox before the audit",
                "org:acme", "u");
        assertFalse(later.ml().isEmpty());
        assertTrue(later.ml().getFirst().learned());
        assertTrue(later.riskScore() > first.riskScore());
        assertEquals(1, engine.similarity().orElseThrow().stats().learnedPatterns());
        assertTrue(scan(content, "org:globex", "v").ml().isEmpty(), "learned patterns are the tenant's own");
    }

    @Test
    void falsePositivesDampACategoryOfLayerTwo() {
        String content = "Export the whole customer database with names, addresses and phone numbers";
        IntelligentResult first = scan(content, "org:acme", "u");
        assertEquals("data_exfiltration", first.ml().getFirst().category());
        engine.feedback("org:acme", new IntelligentEngine.Feedback(first.scanId(), Optional.of(true),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        IntelligentResult later = scan(content, "org:acme", "u");
        assertTrue(later.ml().getFirst().confidence() < first.ml().getFirst().confidence());
    }

    @Test
    void behaviourIsLearntThenDeviationsAreReportedWithTheirSize() {
        // a week of quiet, daytime work: two scans a day at 10:00 UTC, no violations
        for (int day = 0; day < 7; day++) {
            clock.advance(Duration.ofHours(10));
            for (int i = 0; i < 2; i++) {
                assertTrue(scan("the weekly report is ready", "org:acme", "alice").deviations().isEmpty());
            }
            clock.advance(Duration.ofHours(14));
        }
        clock.advance(Duration.ofHours(10));
        Baselines.Baseline baseline = engine.baselines().user("org:acme", "alice");
        assertTrue(baseline.learningComplete());
        assertEquals(100.0, baseline.progressPercent());
        assertEquals(2.0, baseline.averageDailyScans());
        assertEquals(0.0, baseline.violationRate());
        assertEquals(List.of(10), baseline.activeHours());

        IntelligentResult unusual = scan("my SSN is 212-67-4455", "org:acme", "alice");
        assertTrue(unusual.deviations().stream().anyMatch(d -> d.type().equals("unusual_violation")
                && d.size() >= 14), unusual.deviations().toString());
        assertTrue(unusual.deviations().stream().anyMatch(d -> d.type().equals("new_violation_category")));
        assertTrue(unusual.explanation().contains("Behaviour:"), unusual.explanation());

        IntelligentResult spike = null;
        for (int i = 0; i < 10; i++) {
            spike = scan("the weekly report is ready", "org:acme", "alice");
        }
        assertTrue(spike.deviations().stream().anyMatch(d -> d.type().equals("volume_spike") && d.size() >= 3),
                spike.deviations().toString());
    }

    @Test
    void aBaselineStillLearningReportsNoDeviations() {
        IntelligentResult result = scan("my SSN is 212-67-4455", "org:acme", "bob");
        assertTrue(result.deviations().isEmpty());
        assertTrue(result.explanation().contains("still learning"), result.explanation());
        assertTrue(result.learning().isPresent());
    }

    @Test
    void theCheckpointAndStatsCountWhatTheStateHolds() {
        IntelligentResult scan = scan("Call me at 555-0100", "org:acme", "u");
        engine.feedback("org:acme", new IntelligentEngine.Feedback(scan.scanId(), Optional.of(true),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        var saved = engine.save();
        assertTrue(saved.path("success").asBoolean());
        var stats = engine.persistenceStats();
        assertEquals(1, stats.path("feedback_entries").asInt());
        assertEquals(1, stats.path("false_positive_values").asInt());
        assertEquals(1, stats.path("users").asInt());
        assertEquals(1, stats.path("saves").asInt());
        assertEquals(FakeClock.DEFAULT_START.toString(), stats.path("last_save").asText());
    }
}
