package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The intelligent Compliance API over HTTP with the real embedding model (the cache module's ONNX embedder, loaded
 * from the class path into the test's data directory): the three layers, feedback, and every view.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComplianceIntelligentApiTest {
    private static final String BASE = "/api/compliance/intelligent";

    private Upstream upstream;
    private Gateway gateway;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        upstream = new Upstream();
        gateway = new Gateway(upstream, dir.resolve("data"), Optional.empty(), Map.of(), Service.PROXY,
                Service.MANAGEMENT, Service.COMPLIANCE);
    }

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    private JsonNode call(String method, String path, String json, String token, int status) throws IOException {
        try (Response response = gateway.send(method, gateway.url(Service.COMPLIANCE, path), json,
                token == null ? new String[0] : new String[] {"authorization", "Bearer " + token})) {
            String body = response.body().string();
            assertEquals(status, response.code(), path + ": " + body);
            return Gateway.JSON.readTree(body);
        }
    }

    private JsonNode scan(String json, String token) throws IOException {
        return call("POST", BASE + "/scan", json, token, 200);
    }

    private String virtualKey(String org) throws IOException {
        try (Response created = gateway.post(gateway.url(Service.MANAGEMENT, "/api/enterprise/vkeys"),
                "{\"name\":\"k\",\"owner_id\":\"owner-" + org + "\",\"tags\":{\"org\":\"" + org + "\"}}",
                "authorization", "Bearer " + Gateway.MASTER)) {
            assertEquals(201, created.code());
            return Gateway.json(created).path("token").asText();
        }
    }

    @Test
    void aScanAnswersEveryFieldOfTheIntelligentScanResult() throws Exception {
        JsonNode result = scan("{\"content\":\"My SSN is 123-45-6789\",\"user_id\":\"user-123\","
                + "\"org_id\":\"acme-corp\",\"context\":\"customer_support\"}", Gateway.MASTER);
        for (String field : List.of("scan_id", "has_violations", "risk_score", "risk_level", "recommended_action",
                "explanation", "regex_violations", "ml_violations", "behavior_deviations", "processing_time_us")) {
            assertTrue(result.has(field), field + " in " + result);
        }
        assertEquals("high", result.path("risk_level").asText());
        assertEquals("Block", result.path("recommended_action").asText());
        JsonNode ssn = result.path("regex_violations").get(0);
        assertEquals("ssn", ssn.path("violation_type").asText());
        assertEquals("high", ssn.path("severity").asText());
        assertEquals("org:acme-corp", result.path("scope").asText());
        assertFalse(result.toString().contains("6789"));
    }

    @Test
    void theModelRecognisesAParaphraseOfAViolationPattern() throws Exception {
        JsonNode result = scan("{\"content\":\"Please dump all our clients' contact details into a CSV and email it "
                + "to me\"}", Gateway.MASTER);
        assertTrue(result.path("ml_available").asBoolean(), result.toString());
        assertEquals("data_exfiltration", result.path("ml_violations").get(0).path("category").asText(),
                result.toString());
        assertTrue(result.path("risk_score").asDouble() > 0);
        JsonNode clean = scan("{\"content\":\"Write a haiku about autumn leaves\"}", Gateway.MASTER);
        assertEquals(0, clean.path("ml_violations").size(), clean.toString());
        assertEquals("Allow", clean.path("recommended_action").asText());
    }

    @Test
    void feedbackOverHttpChangesALaterScore() throws Exception {
        JsonNode first = scan("{\"content\":\"Call me at 555-0100\",\"org_id\":\"feedback-org\"}", Gateway.MASTER);
        assertEquals("phone", first.path("regex_violations").get(0).path("violation_type").asText());
        JsonNode answer = call("POST", BASE + "/feedback", "{\"scan_id\":\"" + first.path("scan_id").asText()
                + "\",\"is_false_positive\":true,\"user_id\":\"admin_user\",\"org_id\":\"feedback-org\","
                + "\"notes\":\"555-0100 is a known test number, not real PII\"}", Gateway.MASTER, 200);
        assertTrue(answer.path("success").asBoolean());
        JsonNode later = scan("{\"content\":\"Call me at 555-0100\",\"org_id\":\"feedback-org\"}", Gateway.MASTER);
        assertEquals(0, later.path("regex_violations").size());
        assertEquals(1, later.path("suppressed_by_feedback").asInt());
        assertTrue(later.path("risk_score").asDouble() < first.path("risk_score").asDouble());
    }

    @Test
    void aVirtualKeyScansAndGivesFeedbackOnlyWithinItsTenant() throws Exception {
        String acme = virtualKey("acme-vk");
        String globex = virtualKey("globex-vk");
        JsonNode scan = scan("{\"content\":\"Call me at 555-0100\"}", acme);
        assertEquals("org:acme-vk", scan.path("scope").asText());
        assertEquals("owner-acme-vk", scan.path("user_id").asText());
        String feedback = "{\"scan_id\":\"" + scan.path("scan_id").asText() + "\",\"is_false_positive\":true}";
        JsonNode refused = call("POST", BASE + "/feedback", feedback, globex, 404);
        assertEquals("scan_not_found", refused.path("error").path("code").asText());
        call("POST", BASE + "/feedback", feedback, acme, 200);
        call("GET", BASE + "/ml/stats", null, acme, 401);
    }

    @Test
    void badFeedbackIsA4xx() throws Exception {
        assertEquals("scan_id", call("POST", BASE + "/feedback", "{}", Gateway.MASTER, 400).path("error")
                .path("param").asText());
        assertEquals("is_false_positive", call("POST", BASE + "/feedback", "{\"scan_id\":\"scan_x\"}",
                Gateway.MASTER, 400).path("error").path("param").asText());
        assertEquals("correct_action", call("POST", BASE + "/feedback", "{\"scan_id\":\"scan_x\","
                + "\"correct_action\":\"Maybe\"}", Gateway.MASTER, 400).path("error").path("param").asText());
        call("POST", BASE + "/feedback", "{\"scan_id\":\"scan_000000000000000000000000\","
                + "\"is_false_positive\":true}", Gateway.MASTER, 404);
        assertEquals("content", call("POST", BASE + "/scan", "{\"content\":[]}", Gateway.MASTER, 400)
                .path("error").path("param").asText());
    }

    @Test
    void everyViewAnswersWithTheMasterKeyOnly() throws Exception {
        scan("{\"content\":\"mail ann@example.com\",\"user_id\":\"user-alice\",\"org_id\":\"views-org\"}",
                Gateway.MASTER);
        JsonNode status = call("GET", BASE + "/learning/status/user-alice?org_id=views-org", null, Gateway.MASTER,
                200);
        assertEquals(1, status.path("total_scans").asInt());
        assertFalse(status.path("learning_complete").asBoolean());
        assertEquals(7, status.path("config_learning_days").asInt());
        assertTrue(status.has("progress_percent"));

        JsonNode summary = call("GET", BASE + "/learning/summary", null, Gateway.MASTER, 200);
        assertTrue(summary.path("total_users").asInt() >= 1);
        assertEquals(7, summary.path("config_learning_days").asInt());

        JsonNode ml = call("GET", BASE + "/ml/stats", null, Gateway.MASTER, 200);
        assertEquals(30, ml.path("seed_patterns").asInt());
        assertTrue(ml.path("total_patterns").asInt() >= 30);
        assertTrue(ml.has("learned_patterns") && ml.has("average_confidence"));
        assertTrue(ml.path("categories").size() >= 6, ml.toString());

        JsonNode orgs = call("GET", BASE + "/org/summary", null, Gateway.MASTER, 200);
        List<String> ids = new ArrayList<>();
        orgs.path("orgs").forEach(org -> ids.add(org.path("org_id").asText()));
        assertTrue(ids.contains("views-org"), ids.toString());

        JsonNode baseline = call("GET", BASE + "/org/views-org/baseline", null, Gateway.MASTER, 200);
        assertEquals(1, baseline.path("total_scans").asInt());
        assertEquals(1.0, baseline.path("violation_rate").asDouble());
        assertEquals("email", baseline.path("top_categories").get(0).asText());

        JsonNode saved = call("POST", BASE + "/save", "{}", Gateway.MASTER, 200);
        assertTrue(saved.path("success").asBoolean());
        JsonNode persistence = call("GET", BASE + "/persistence/stats", null, Gateway.MASTER, 200);
        assertTrue(persistence.path("saves").asInt() >= 1);
        assertEquals("InMemorySharedState", persistence.path("store").asText());

        JsonNode health = call("GET", BASE + "/health", null, Gateway.MASTER, 200);
        assertEquals("ok", health.path("layers").path("rules").path("status").asText());

        for (String path : List.of("/learning/status/u", "/learning/summary", "/ml/stats", "/org/summary",
                "/org/acme/baseline", "/persistence/stats", "/health")) {
            call("GET", BASE + path, null, null, 401);
        }
        call("POST", BASE + "/save", "{}", null, 401);
    }
}
