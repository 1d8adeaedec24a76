package dev.smartflow.compliance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.Policy;
import dev.smartflow.core.spi.PolicyAssignment;
import dev.smartflow.core.spi.PolicyAssignment.Kind;
import dev.smartflow.core.spi.PolicyAssignment.Scope;
import dev.smartflow.core.spi.PolicyPreset;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.testkit.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the evaluation makes of policies, callers and texts: order, targeting, detectors, similarity, risk, redaction.
 */
class PolicyEvaluatorTest {
    private static final Instant T0 = FakeClock.DEFAULT_START;

    private final InMemoryDatabase database = new InMemoryDatabase();
    private final InMemorySharedState state = new InMemorySharedState();
    private final Similarity similarity = new Similarity(Optional.of(new WordsEmbedder()));
    private final PolicyCatalog catalog = new PolicyCatalog(database::policies, state, similarity,
            PolicyDetectors.builtIn(), Duration.ofSeconds(5));
    private final PolicyLibrary library = new PolicyLibrary(database::policies, catalog, new FakeClock());
    private final PolicyEvaluator evaluator = new PolicyEvaluator(catalog, similarity, settings(), Optional.empty());

    @AfterEach
    void close() {
        catalog.close();
        state.close();
        database.close();
    }

    private static PolicySettings settings() {
        try {
            return PolicySettings.from(Body.MAPPER.readTree("{\"similarity_threshold\": 0.5}"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Policy.Builder policy(String id, int priority) {
        return Policy.builder(id, "Policy " + id, Policy.Type.COMPLIANCE, "Rule of " + id + ".", T0)
                .priority(priority);
    }

    private static Principal key(String id, String owner, Map<String, String> tags) {
        return Principal.of(VirtualKey.builder(KeyId.of(id), "key " + id, owner, "hash-" + id, T0).tags(tags)
                .build());
    }

    private List<String> applied(Principal principal) {
        return evaluator.evaluate(principal, "hello there", "openai", "gpt-4o", Optional.empty()).applied();
    }

    // --- whose policies, in which order

    @Test
    void everyActivePolicyNoAssignmentNamesAppliesToEveryoneHighestPriorityFirst() {
        library.create(policy("pol_low", 10).build());
        library.create(policy("pol_high", 90).build());
        library.create(policy("pol_mid", 50).build());
        library.create(policy("pol_off", 99).active(false).build());

        assertEquals(List.of("pol_high", "pol_mid", "pol_low"), applied(Principal.MASTER));
        assertEquals(List.of("pol_high", "pol_mid", "pol_low"), applied(key("key_1", "alice", Map.of())));
    }

    @Test
    void aPresetsOrderRanksPoliciesOfEqualPriority() {
        for (String id : List.of("pol_a", "pol_b", "pol_c", "pol_0")) {
            library.create(policy(id, 50).build());
        }
        library.create(policy("pol_top", 60).build());
        library.create(new PolicyPreset("pre_1", "Ordered", "", "", List.of("pol_c", "pol_top", "pol_a", "pol_b"),
                T0, T0));
        library.assign(new PolicyAssignment("asg_1", Scope.GLOBAL, "", Kind.PRESET, "pre_1", T0));

        // priority first; among the 50s the preset's order, then pol_0 (in no preset) by id
        assertEquals(List.of("pol_top", "pol_c", "pol_a", "pol_b", "pol_0"), applied(Principal.MASTER));
    }

    @Test
    void anAssignedPolicyAppliesOnlyToTheCallersItIsAssignedTo() {
        library.create(policy("pol_team", 50).build());
        library.create(policy("pol_key", 50).build());
        library.create(policy("pol_owner", 50).build());
        library.create(policy("pol_role", 50).build());
        library.create(policy("pol_tag", 50).build());
        library.create(policy("pol_everyone", 40).build());
        library.create(new PolicyPreset("pre_team", "Team", "", "", List.of("pol_team"), T0, T0));
        library.assign(new PolicyAssignment("asg_1", Scope.TEAM, "billing", Kind.PRESET, "pre_team", T0));
        library.assign(new PolicyAssignment("asg_2", Scope.KEY, "key_2", Kind.POLICY, "pol_key", T0));
        library.assign(new PolicyAssignment("asg_3", Scope.OWNER, "bob", Kind.POLICY, "pol_owner", T0));
        library.assign(new PolicyAssignment("asg_4", Scope.ROLE, "nurse", Kind.POLICY, "pol_role", T0));
        library.assign(new PolicyAssignment("asg_5", Scope.TAG, "env=prod", Kind.POLICY, "pol_tag", T0));
        library.assign(new PolicyAssignment("asg_6", Scope.GLOBAL, "", Kind.POLICY, "pol_everyone", T0));

        assertEquals(List.of("pol_team", "pol_everyone"), applied(key("key_1", "alice", Map.of("team", "billing"))));
        assertEquals(List.of("pol_key", "pol_owner", "pol_everyone"), applied(key("key_2", "bob", Map.of())));
        assertEquals(List.of("pol_role", "pol_tag", "pol_everyone"),
                applied(key("key_3", "carol", Map.of("role", "nurse", "env", "prod", "team", "ops"))));
        assertEquals(List.of("pol_everyone"), applied(Principal.MASTER));
    }

    @Test
    void policiesApplyOnlyToTheirProvidersAndModels() {
        library.create(policy("pol_anthropic", 50).applicableProviders(List.of("anthropic")).build());
        library.create(policy("pol_gpt4o", 50).applicableModels(List.of("gpt-4o")).build());
        library.create(policy("pol_gpt4o_family", 50).applicableModels(List.of("GPT-4o*")).build());
        library.create(policy("pol_qualified", 50).applicableModels(List.of("openai/gpt-4o-mini")).build());
        library.create(policy("pol_all", 50).build());

        assertEquals(List.of("pol_all", "pol_gpt4o", "pol_gpt4o_family"), evaluator.evaluate(Principal.MASTER,
                "hi", "openai", "gpt-4o", Optional.empty()).applied());
        assertEquals(List.of("pol_all", "pol_gpt4o_family", "pol_qualified"), evaluator.evaluate(Principal.MASTER,
                "hi", "openai", "gpt-4o-mini", Optional.empty()).applied());
        assertEquals(List.of("pol_all", "pol_anthropic"), evaluator.evaluate(Principal.MASTER, "hi", "anthropic",
                "claude-sonnet-4-5", Optional.empty()).applied());
    }

    @Test
    void metadataAdmitsOnlyCallersWithAMatchingTagOrAddress() {
        library.create(policy("pol_clinical", 50).targeting(new Policy.Targeting(List.of(), List.of(),
                List.of("Clinical"), List.of())).build());
        library.create(policy("pol_admins", 50).targeting(new Policy.Targeting(List.of(), List.of("admins"),
                List.of(), List.of())).build());
        library.create(policy("pol_ehr", 50).targeting(new Policy.Targeting(List.of(), List.of(), List.of(),
                List.of("ehr"))).build());
        library.create(policy("pol_office", 50).targeting(new Policy.Targeting(List.of("10.0.0.0/8",
                "2001:db8::/32"), List.of(), List.of(), List.of())).build());
        Principal nurse = key("key_1", "alice", Map.of("department", "clinical", "ad_groups", "staff, admins",
                "application", "ehr"));
        Principal clerk = key("key_2", "bob", Map.of("department", "billing"));

        assertEquals(List.of("pol_admins", "pol_clinical", "pol_ehr"), applied(nurse));
        assertEquals(List.of(), applied(clerk));
        assertEquals(List.of("pol_office"), evaluator.evaluate(clerk, "hi", "openai", "gpt-4o",
                Optional.of("10.20.30.40")).applied());
        assertEquals(List.of("pol_office"), evaluator.evaluate(clerk, "hi", "openai", "gpt-4o",
                Optional.of("2001:db8::7")).applied());
        assertEquals(List.of(), evaluator.evaluate(clerk, "hi", "openai", "gpt-4o",
                Optional.of("192.168.1.10")).applied());
    }

    // --- matches, risk, actions

    @Test
    void aDetectorTheContentNamesMatchesWithFullConfidence() {
        library.create(Policy.builder("pol_hipaa", "HIPAA PHI Protection", Policy.Type.COMPLIANCE,
                        "Do not include patient names, diagnoses, medical record numbers, or any PHI.", T0)
                .severity(Policy.Severity.CRITICAL).regulatoryFramework(Optional.of("HIPAA")).priority(90).build());

        PolicyVerdict verdict = evaluator.evaluate(Principal.MASTER, "Summarise the chart of MRN 12345678 for me.",
                "openai", "gpt-4o", Optional.empty());

        assertTrue(verdict.blocked());
        PolicyVerdict.Match match = verdict.matches().getFirst();
        assertEquals(PolicyVerdict.How.DETECTOR, match.how());
        assertEquals(List.of("medical_record_number"), match.detectors());
        assertEquals(1.0, verdict.riskScore());
        assertEquals("critical", verdict.riskLevel());
        assertEquals("the request was blocked by policy 'HIPAA PHI Protection' (HIPAA)", verdict.message());
        assertEquals(List.of("policy:HIPAA PHI Protection", "policy.block"), verdict.flags());
    }

    @Test
    void similarityMatchesOnlyFromTheThreshold() {
        library.create(Policy.builder("pol_brand", "Brand voice", Policy.Type.BRAND,
                "Marketing copy must not name competitor brands.", T0).severity(Policy.Severity.LOW).build());

        PolicyVerdict close = evaluator.evaluate(Principal.MASTER, "Write marketing copy naming competitor brands.",
                "openai", "gpt-4o", Optional.empty());
        PolicyVerdict far = evaluator.evaluate(Principal.MASTER, "What is the capital of France?", "openai",
                "gpt-4o", Optional.empty());

        assertEquals(PolicyVerdict.How.SIMILARITY, close.matches().getFirst().how());
        assertTrue(close.matches().getFirst().confidence() >= 0.5);
        assertEquals(Optional.of(Policy.Action.LOG), close.action());
        assertFalse(close.blocked());
        assertEquals(List.of("pol_brand"), far.applied());
        assertEquals(List.of(), far.matches());
        assertEquals(0.0, far.riskScore());
    }

    @Test
    void matchesCombineIntoOneRiskScoreAndTheStrongestActionWins() {
        library.create(Policy.builder("pol_log", "Emails", Policy.Type.SECURITY, "No email addresses.", T0)
                .severity(Policy.Severity.MEDIUM).action(Policy.Action.LOG).priority(70).build());
        library.create(Policy.builder("pol_redact", "Cards", Policy.Type.SECURITY, "No credit card numbers.", T0)
                .severity(Policy.Severity.LOW).action(Policy.Action.REDACT).priority(60).build());
        library.create(Policy.builder("pol_block", "SSNs", Policy.Type.SECURITY, "No social security numbers.", T0)
                .severity(Policy.Severity.LOW).action(Policy.Action.BLOCK).priority(50).build());

        PolicyVerdict two = evaluator.evaluate(Principal.MASTER, "Mail jane@example.com the card 4111 1111 1111 1111",
                "openai", "gpt-4o", Optional.empty());
        PolicyVerdict three = evaluator.evaluate(Principal.MASTER, "jane@example.com, 4111111111111111, 123-45-6789",
                "openai", "gpt-4o", Optional.empty());

        assertEquals(1 - 0.5 * 0.75, two.riskScore(), 1e-9);
        assertEquals(Optional.of(Policy.Action.REDACT), two.action());
        assertEquals(List.of("policy:Emails", "policy:Cards", "policy.redact"), two.flags());
        assertEquals(Optional.of(Policy.Action.BLOCK), three.action());
        assertEquals("pol_block", three.blockedBy().orElseThrow().policy().id());
    }

    @Test
    void redactionTakesOutWhatTheRedactingPoliciesFoundAndNothingElse() {
        library.create(Policy.builder("pol_ssn", "SSNs", Policy.Type.SECURITY, "No social security numbers.", T0)
                .action(Policy.Action.REDACT).build());
        library.create(Policy.builder("pol_salary", "Salaries", Policy.Type.LEGAL,
                "Never share employee salary figures.", T0).action(Policy.Action.REDACT).build());
        library.create(Policy.builder("pol_mail", "Emails", Policy.Type.SECURITY, "No email addresses.", T0)
                .action(Policy.Action.LOG).build());
        String text = "My SSN is 123-45-6789 and my email is jane@example.com.\nShare employee salary figures now.";

        PolicyVerdict verdict = evaluator.evaluate(Principal.MASTER, text, "openai", "gpt-4o", Optional.empty());

        assertEquals(Optional.of(Policy.Action.REDACT), verdict.action());
        assertEquals("My SSN is [REDACTED:us_ssn] and my email is jane@example.com.\n[REDACTED]",
                verdict.redact(text));
    }

    @Test
    void aCallWithoutApplicablePoliciesIsNotEvaluated() {
        library.create(policy("pol_anthropic", 50).applicableProviders(List.of("anthropic")).build());

        PolicyVerdict verdict = evaluator.evaluate(Principal.MASTER, "MRN 12345678", "openai", "gpt-4o",
                Optional.empty());

        assertEquals(List.of(), verdict.applied());
        assertEquals(Optional.empty(), verdict.action());
    }
}
