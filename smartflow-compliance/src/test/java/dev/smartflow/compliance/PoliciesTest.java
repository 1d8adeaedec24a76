package dev.smartflow.compliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.compliance.detect.EntityType;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.VirtualKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoliciesTest {
    private static Principal keyTagged(Map<String, String> tags) {
        return Principal.of(VirtualKey.builder(KeyId.of("key_1"), "k", "team", "hash", Instant.EPOCH).tags(tags)
                .build());
    }

    @Test
    void theFourBuiltInPoliciesExistAndBlockSecrets() {
        assertEquals(List.of("enterprise_standard", "hipaa", "pci_dss_strict", "gdpr"),
                BuiltInPolicies.all().stream().map(CompliancePolicy::name).toList());
        for (CompliancePolicy policy : BuiltInPolicies.all()) {
            for (EntityType secret : List.of(EntityType.API_KEY, EntityType.AWS_ACCESS_KEY, EntityType.GITHUB_TOKEN,
                    EntityType.JWT, EntityType.PRIVATE_KEY)) {
                assertEquals(Optional.of(Action.BLOCK), policy.action(secret), policy.name() + " " + secret);
            }
            assertEquals(EntityType.values().length, policy.actions().size(), policy.name() + " looks for all");
        }
    }

    @Test
    void eachPolicyActsAsDocumented() {
        assertEquals(Optional.of(Action.BLOCK),
                BuiltInPolicies.named("pci_dss_strict").orElseThrow().action(EntityType.CREDIT_CARD));
        assertEquals(Optional.of(Action.PSEUDONYMISE),
                BuiltInPolicies.named("hipaa").orElseThrow().action(EntityType.MRN));
        assertEquals(Optional.of(Action.PSEUDONYMISE),
                BuiltInPolicies.named("gdpr").orElseThrow().action(EntityType.IP_ADDRESS));
        assertEquals(Optional.of(Action.REDACT),
                BuiltInPolicies.named("enterprise_standard").orElseThrow().action(EntityType.SSN));
    }

    @Test
    void aKeysTagChoosesItsPolicyAndTheDefaultCoversTheRest() {
        Policies policies = new Policies(PolicySource.NONE, "enterprise_standard");
        assertEquals("hipaa", policies.effective(keyTagged(Map.of("compliance_policy", "hipaa"))).policy()
                .orElseThrow().name());
        assertEquals("enterprise_standard", policies.effective(keyTagged(Map.of())).policy().orElseThrow().name());
        assertEquals("enterprise_standard", policies.effective(Principal.MASTER).policy().orElseThrow().name());
        assertTrue(policies.effective(keyTagged(Map.of("compliance_policy", "none"))).policy().isEmpty());
    }

    @Test
    void anUnknownTagFallsBackToTheDefaultAndSaysSo() {
        Policies.Resolution resolution = new Policies(PolicySource.NONE, "gdpr")
                .effective(keyTagged(Map.of("compliance_policy", "no_such_policy")));
        assertEquals("gdpr", resolution.policy().orElseThrow().name());
        assertTrue(resolution.unknownTag());
    }

    @Test
    void aPolicySourceWinsOverTagsAndBuiltIns() {
        CompliancePolicy custom = CompliancePolicy.of("hipaa", "stricter", Map.of(EntityType.EMAIL, Action.BLOCK),
                true);
        CompliancePolicy assigned = CompliancePolicy.of("acme_only", "acme's", Map.of(EntityType.SSN, Action.LOG),
                false);
        PolicySource library = new PolicySource() {
            @Override
            public Optional<CompliancePolicy> named(String name) {
                return name.equals("hipaa") ? Optional.of(custom) : Optional.empty();
            }

            @Override
            public Optional<CompliancePolicy> forPrincipal(Principal principal) {
                return principal.tenant().equals("org:acme") ? Optional.of(assigned) : Optional.empty();
            }
        };
        Policies policies = new Policies(library, "none");
        assertEquals(custom, policies.effective(keyTagged(Map.of("compliance_policy", "hipaa"))).policy()
                .orElseThrow());
        assertEquals(assigned, policies.effective(keyTagged(Map.of("org", "acme", "compliance_policy", "hipaa")))
                .policy().orElseThrow());
        assertTrue(policies.effective(Principal.MASTER).policy().isEmpty(), "default none: unscanned");
    }

    @Test
    void anUnknownDefaultIsAConfigurationError() {
        assertThrows(IllegalArgumentException.class, () -> new Policies(PolicySource.NONE, "strictest"));
        assertThrows(IllegalArgumentException.class, () -> CompliancePolicy.of("Bad Name", "", Map.of(), true));
    }

    @Test
    void theSdkGuidesCheckExample() {
        ComplianceEngine engine = ComplianceEngine.builder().build();
        ComplianceResult result = engine.check("My SSN is 123-45-6789",
                engine.policies().named("enterprise_standard").orElseThrow());
        assertTrue(result.hasViolations());
        assertEquals(List.of("ssn"), result.piiDetected());
        assertEquals(List.of("ssn: redact (1 found)"), result.violations());
        assertEquals("My SSN is [SSN]", result.redactedContent());
        assertEquals(RiskLevel.HIGH, result.riskLevel());
        assertEquals(RecommendedAction.ALLOW_AND_LOG, result.recommendedAction());
        assertTrue(result.complianceScore() < 0.2, "score " + result.complianceScore());
    }

    @Test
    void aCleanTextScoresOneAndACardUnderPciIsBlocked() {
        ComplianceEngine engine = ComplianceEngine.builder().build();
        ComplianceResult clean = engine.check("hello there", engine.policies().named("gdpr").orElseThrow());
        assertFalse(clean.hasViolations());
        assertEquals(1.0, clean.complianceScore());
        assertEquals(RiskLevel.LOW, clean.riskLevel());
        assertEquals(RecommendedAction.ALLOW, clean.recommendedAction());
        ComplianceResult card = engine.check("card 4111 1111 1111 1111",
                engine.policies().named("pci_dss_strict").orElseThrow());
        assertTrue(card.blocked());
        assertEquals(RecommendedAction.BLOCK, card.recommendedAction());
    }

    @Test
    void aPolicyOnlyLooksForTheTypesItNames() {
        ComplianceEngine engine = ComplianceEngine.builder().build();
        CompliancePolicy emailsOnly = CompliancePolicy.of("emails", "", Map.of(EntityType.EMAIL, Action.LOG), true);
        ComplianceResult result = engine.check("SSN 212-67-4455, mail a@example.com", emailsOnly);
        assertEquals(List.of("email"), result.piiDetected());
        assertFalse(result.hasViolations(), "log only");
    }
}
