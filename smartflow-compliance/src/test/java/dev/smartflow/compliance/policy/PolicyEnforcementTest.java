package dev.smartflow.compliance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.cache.embed.OnnxEmbedder;
import dev.smartflow.compliance.policy.PolicyGateway.Answer;
import dev.smartflow.compliance.policy.PolicyGateway.Key;
import dev.smartflow.core.spi.Embedder;
import dev.smartflow.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policies enforced on real calls through a real server, with the real sentence model: blocked, redacted or logged,
 * targeted by model, provider, team and address, judged by an LLM, counted, and named in the audit log.
 */
class PolicyEnforcementTest {
    private static final Embedder MODEL = OnnxEmbedder.builder(Path.of("target", "test-data").toAbsolutePath())
            .start();
    private static final String HIPAA = """
            {"name": "HIPAA PHI Protection", "policy_type": "compliance", "priority": 90, "severity": "critical",
             "regulatory_framework": "HIPAA",
             "content": "Do not include patient names, diagnoses, medical record numbers, or any PHI in AI responses."}
            """;
    private static final String BRAND = """
            {"name": "Brand voice", "policy_type": "brand", "priority": 20, "severity": "low",
             "content": "Never write marketing copy that names or disparages competitor brands."}""";

    @TempDir
    Path dataDir;
    private FakeOpenAi upstream;
    private PolicyGateway gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAi();
    }

    private void gateway(String yaml) {
        gateway = new PolicyGateway(dataDir, upstream, yaml, Optional.of(MODEL), Map.of());
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    @AfterAll
    static void closeModel() {
        MODEL.close();
    }

    private String create(String json) {
        Answer created = gateway.admin("POST", "/api/policies", json);
        assertEquals(201, created.status(), created.body());
        return created.json().path("policy").path("id").asText();
    }

    /** The key's audit records, oldest first, once {@code count} are there. */
    private List<JsonNode> audited(Key key, int count) {
        List<JsonNode> records = new ArrayList<>();
        Await.until(Duration.ofSeconds(10), count + " audit records of the key", () -> {
            records.clear();
            gateway.auditLog().forEach(r -> {
                if (key.id().equals(r.path("key_id").asText())) {
                    records.addFirst(r);
                }
            });
            return records.size() >= count;
        });
        return records;
    }

    private static List<String> flags(JsonNode record) {
        List<String> flags = new ArrayList<>();
        record.path("compliance_flags").forEach(f -> flags.add(f.asText()));
        return flags;
    }

    @Test
    void aHipaaPolicyBlocksAPhiPromptWhileABrandPolicyOnlyLogs() {
        gateway("");
        create(HIPAA);
        create(BRAND);
        Key key = gateway.key("clinic-app", "clinic", Map.of());

        Answer phi = gateway.chat(key.token(), "gpt-4o-mini",
                "Patient Jane Doe, MRN 12345678, was diagnosed with type 2 diabetes. Draft a letter to her.");
        Answer brand = gateway.chat(key.token(), "gpt-4o-mini",
                "Write marketing copy comparing us with competitor brands.");
        Answer plain = gateway.chat(key.token(), "gpt-4o-mini", "What is the capital of France?");

        assertEquals(403, phi.status(), phi.body());
        assertEquals("compliance_violation", phi.errorCode());
        assertEquals("the request was blocked by policy 'HIPAA PHI Protection' (HIPAA)",
                phi.json().path("error").path("message").asText());
        assertEquals(200, brand.status(), brand.body());
        assertEquals(200, plain.status(), plain.body());
        assertEquals(List.of("Write marketing copy comparing us with competitor brands.",
                "What is the capital of France?"), upstream.userMessages());

        List<JsonNode> records = audited(key, 3);
        assertEquals(403, records.get(0).path("status").asInt());
        assertEquals(List.of("policy:HIPAA PHI Protection", "policy.block"), flags(records.get(0)));
        assertEquals(1.0, records.get(0).path("compliance_score").asDouble());
        assertEquals(List.of("policy:Brand voice"), flags(records.get(1)));
        assertTrue(records.get(1).path("compliance_score").asDouble() > 0);
        assertEquals(List.of(), flags(records.get(2)));

        JsonNode stats = gateway.admin("GET", "/api/stats", null).json();
        assertEquals(3, stats.path("requests_evaluated").asInt());
        assertEquals(6, stats.path("total_applications").asInt());
        assertEquals(2, stats.path("compliance_violations").asInt());
        assertEquals(1, stats.path("requests_blocked").asInt());
    }

    @Test
    void aRedactingPolicySendsTheCallOnWithoutWhatItFound() {
        gateway("");
        create("""
                {"name": "No SSNs", "policy_type": "security", "severity": "high", "action": "redact",
                 "content": "Social security numbers never leave the company."}""");
        Key key = gateway.key("forms", "hr", Map.of());

        Answer answer = gateway.chat(key.token(), "gpt-4o-mini", "My SSN is 123-45-6789, please fill in the form.");

        assertEquals(200, answer.status(), answer.body());
        assertEquals(List.of("My SSN is [REDACTED:us_ssn], please fill in the form."), upstream.userMessages());
        assertEquals(List.of("policy:No SSNs", "policy.redact"), flags(audited(key, 1).getFirst()));
    }

    @Test
    void policiesApplyOnlyToTheirModelsProvidersAndTeams() {
        gateway("");
        create("""
                {"name": "gpt-4o only", "policy_type": "security", "action": "block", "detectors": ["email"],
                 "content": "Nothing here.", "applicable_models": ["gpt-4o"]}""");
        create("""
                {"name": "anthropic only", "policy_type": "security", "action": "block", "detectors": ["us_ssn"],
                 "content": "Nothing here.", "applicable_providers": ["anthropic"]}""");
        String clinical = create("""
                {"name": "clinical only", "policy_type": "industry", "action": "block",
                 "detectors": ["phone_number"], "content": "Nothing here."}""");
        String preset = gateway.admin("POST", "/api/presets", "{\"name\":\"Clinical\",\"policy_ids\":[\"" + clinical
                + "\"]}").json().path("preset").path("id").asText();
        assertEquals(201, gateway.admin("POST", "/api/assignments", "{\"scope\":\"team\",\"target\":\"clinical\","
                + "\"preset_id\":\"" + preset + "\"}").status());
        Key nurse = gateway.key("nurse", "ward-3", Map.of("team", "clinical"));
        Key clerk = gateway.key("clerk", "office", Map.of("team", "ops"));

        assertEquals(403, gateway.chat(clerk.token(), "gpt-4o", "mail a@example.com").status());
        assertEquals(200, gateway.chat(clerk.token(), "gpt-4o-mini", "mail a@example.com").status());
        assertEquals(200, gateway.chat(clerk.token(), "gpt-4o-mini", "SSN 123-45-6789").status());
        assertEquals(403, gateway.chat(nurse.token(), "gpt-4o-mini", "call 555-123-4567").status());
        assertEquals(200, gateway.chat(clerk.token(), "gpt-4o-mini", "call 555-123-4567").status());
    }

    @Test
    void aPolicyTargetingSourceIpsSeesTheCallersAddress() {
        gateway("");
        create("""
                {"name": "office network", "policy_type": "security", "action": "block", "detectors": ["email"],
                 "content": "Nothing here.", "metadata": {"source_ips": ["10.0.0.0/8"]}}""");
        Key key = gateway.key("laptop", "alice", Map.of());
        assertEquals(200, gateway.chat(key.token(), "gpt-4o-mini", "mail a@example.com").status());

        create("""
                {"name": "loopback", "policy_type": "security", "action": "block", "detectors": ["email"],
                 "content": "Nothing here.", "metadata": {"source_ips": ["127.0.0.0/8", "::1"]}}""");

        Answer blocked = gateway.chat(key.token(), "gpt-4o-mini", "mail a@example.com");
        assertEquals(403, blocked.status());
        assertTrue(blocked.json().path("error").path("message").asText().contains("'loopback'"));
    }

    @Test
    void theJudgeDecidesHighSeverityPoliciesAsACallOfTheCallersOwn() {
        gateway("""
                policy:
                  judge: {enabled: true, model: gpt-4o-mini, min_severity: high, min_similarity: 0.2}
                """);
        upstream.answer(request -> {
            if (!request.path("response_format").path("json_schema").path("name").asText()
                    .equals("policy_judgement")) {
                return FakeOpenAi.chat("Here you go.");
            }
            boolean sue = request.path("messages").get(1).path("content").asText().contains("sue my landlord");
            return FakeOpenAi.chat("{\"violates\": " + sue + ", \"confidence\": 0.9, \"reason\": \"legal advice\"}");
        });
        create("""
                {"name": "No legal advice", "policy_type": "legal", "severity": "high", "action": "block",
                 "content": "Do not provide legal advice; refer users to counsel."}""");
        Key key = gateway.key("tenant-help", "support", Map.of());

        Answer legal = gateway.chat(key.token(), "gpt-4o-mini", "Can I sue my landlord for not returning the deposit?");
        Answer unrelated = gateway.chat(key.token(), "gpt-4o-mini", "Translate 'good morning' into Spanish.");

        assertEquals(403, legal.status(), legal.body());
        assertEquals(200, unrelated.status());
        Predicate<JsonNode> judged = chat -> chat.path("response_format").path("json_schema").path("name").asText()
                .equals("policy_judgement");
        assertEquals(1, upstream.chats.stream().filter(judged).count(), "the unrelated call needed no judge");
        // the judgement is the caller's own call: authenticated, budgeted and audited under its key, inside the call
        // it judges (which is audited as arriving first)
        List<JsonNode> records = audited(key, 3);
        assertEquals(List.of(403, 200, 200), records.stream().map(r -> r.path("status").asInt()).toList());
        assertEquals(List.of("policy:No legal advice", "policy.block"), flags(records.get(0)));
        assertEquals(List.of(), flags(records.get(1)), "the judge's call is not judged itself");
    }
}
