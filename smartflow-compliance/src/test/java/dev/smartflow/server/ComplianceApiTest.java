package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Compliance API on the compliance service, over HTTP, as the SDK calls it. */
class ComplianceApiTest {
    @TempDir
    Path dir;
    private Upstream upstream;
    private Gateway gateway;

    @BeforeEach
    void start() throws IOException {
        upstream = new Upstream();
        gateway = new Gateway(upstream, dir.resolve("data"), Optional.empty(), Map.of(), Service.PROXY,
                Service.MANAGEMENT, Service.COMPLIANCE);
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    private Response post(String path, String json, String token) throws IOException {
        return gateway.post(gateway.url(Service.COMPLIANCE, path), json, "authorization", "Bearer " + token);
    }

    private JsonNode ok(String path, String json, String token) throws IOException {
        try (Response response = post(path, json, token)) {
            String body = response.body().string();
            assertEquals(200, response.code(), body);
            return Gateway.JSON.readTree(body);
        }
    }

    private String virtualKey(String tags) throws IOException {
        try (Response created = gateway.post(gateway.url(Service.MANAGEMENT, "/api/enterprise/vkeys"),
                "{\"name\":\"scanner\",\"owner_id\":\"team-a\",\"tags\":" + tags + "}", "authorization",
                "Bearer " + Gateway.MASTER)) {
            assertEquals(201, created.code());
            return Gateway.json(created).path("token").asText();
        }
    }

    @Test
    void scanAnswersTheComplianceResultOfTheSdkGuide() throws Exception {
        JsonNode result = ok("/api/compliance/scan", """
                {"content":"My SSN is 123-45-6789","policy":"enterprise_standard","user_id":"user-123",\
                "org_id":"acme"}""", Gateway.MASTER);
        assertTrue(result.path("has_violations").asBoolean());
        assertTrue(result.path("compliance_score").asDouble() < 0.2);
        assertEquals("high", result.path("risk_level").asText());
        assertEquals("ssn", result.path("pii_detected").get(0).asText());
        assertEquals("ssn: redact (1 found)", result.path("violations").get(0).asText());
        assertEquals("My SSN is [SSN]", result.path("redacted_content").asText());
        assertFalse(result.path("recommendations").isEmpty());
        JsonNode finding = result.path("findings").get(0);
        assertEquals("ssn", finding.path("type").asText());
        assertEquals(10, finding.path("start").asInt());
        assertEquals(21, finding.path("end").asInt());
        assertFalse(result.toString().contains("6789\""), "values are never listed");
    }

    @Test
    void aCleanTextHasNoViolations() throws Exception {
        JsonNode result = ok("/api/compliance/scan", "{\"content\":\"Text to scan\"}", Gateway.MASTER);
        assertFalse(result.path("has_violations").asBoolean());
        assertEquals(1.0, result.path("compliance_score").asDouble());
        assertEquals("low", result.path("risk_level").asText());
        assertEquals("Allow", result.path("recommended_action").asText());
        assertEquals(0, result.path("violations").size());
        assertEquals(0, result.path("pii_detected").size());
    }

    @Test
    void redactAnswersTheSdkGuidesExamples() throws Exception {
        assertEquals("Call me at [PHONE], email [EMAIL]", ok("/api/compliance/redact",
                "{\"content\":\"Call me at 555-867-5309, email john@example.com\"}", Gateway.MASTER)
                .path("redacted_content").asText());
        assertEquals("My SSN is [SSN], email me at [EMAIL]", ok("/api/compliance/redact",
                "{\"content\":\"My SSN is 123-45-6789, email me at john@example.com\"}", Gateway.MASTER)
                .path("redacted_content").asText());
        assertEquals("mail [EMAIL], SSN 212-67-4455", ok("/api/compliance/redact",
                "{\"content\":\"mail a@b.example, SSN 212-67-4455\",\"types\":[\"email\"]}", Gateway.MASTER)
                .path("redacted_content").asText());
    }

    @Test
    void aVirtualKeyMayScanItsOwnContentUnderItsOwnPolicy() throws Exception {
        String token = virtualKey("{\"compliance_policy\":\"pci_dss_strict\"}");
        JsonNode result = ok("/api/compliance/scan", "{\"content\":\"card 4111 1111 1111 1111\"}", token);
        assertEquals("pci_dss_strict", result.path("policy").asText());
        assertEquals("Block", result.path("recommended_action").asText());
    }

    @Test
    void badRequestsGetA4xxInOpenAisShape() throws Exception {
        String[][] cases = {
            {"{}", "content"},
            {"{\"content\":42}", "content"},
            {"{\"content\":\"x\",\"policy\":\"strictest\"}", "policy"},
            {"{\"content\":\"x\",\"user_id\":\"a\\u0000b\"}", "user_id"},
            {"{\"content\":\"x\",\"types\":[\"dna\"]}", "types"},
        };
        for (String[] c : cases) {
            String path = c[1].equals("types") ? "/api/compliance/redact" : "/api/compliance/scan";
            try (Response response = post(path, c[0], Gateway.MASTER)) {
                String body = response.body().string();
                assertEquals(400, response.code(), body);
                assertEquals(c[1], Gateway.JSON.readTree(body).path("error").path("param").asText(), body);
            }
        }
        try (Response response = post("/api/compliance/scan", "not json", Gateway.MASTER)) {
            assertEquals(400, response.code());
            assertEquals("invalid_request_error", Gateway.json(response).path("error").path("type").asText());
        }
        try (Response response = post("/api/compliance/scan", "{\"content\":\"x\"}", "sk-wrong")) {
            assertEquals(401, response.code());
        }
        try (Response response = gateway.post(gateway.url(Service.COMPLIANCE, "/api/compliance/scan"),
                "{\"content\":\"x\"}")) {
            assertEquals(401, response.code());
        }
    }
}
