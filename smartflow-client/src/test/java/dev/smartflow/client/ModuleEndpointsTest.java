package dev.smartflow.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The methods of endpoints that gateway modules serve (cache, compliance, policy library, MCP, A2A), against a
 * MockWebServer answering with the shapes the API reference and the SDK guide document: the paths and bodies the
 * client sends, and how it reads the answers. Once those modules are merged these run against the real gateway too.
 */
class ModuleEndpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MockWebServer server = new MockWebServer();
    private final Map<String, MockResponse> answers = new ConcurrentHashMap<>();
    private SyncSmartflowClient client;

    @BeforeEach
    void start() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String key = request.getMethod() + " " + request.getUrl().encodedPath();
                return answers.getOrDefault(key, new MockResponse.Builder().code(404)
                        .body("{\"error\":{\"message\":\"no route " + key + "\"}}").build());
            }
        });
        server.start();
        String base = server.url("/").toString();
        client = SmartflowClient.builder().baseUrl(base).apiKey("sk-sf-key").managementUrl(base).complianceUrl(base)
                .policyUrl(base).bridgeUrl(base).buildSync();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private void answer(String route, String json) {
        answers.put(route, new MockResponse.Builder().addHeader("content-type", "application/json").body(json)
                .build());
    }

    private JsonNode sentBody() throws Exception {
        return JSON.readTree(server.takeRequest().getBody().utf8());
    }

    @Test
    void cacheStatsReadTheGuidesFields() {
        answer("GET /api/cache/stats", """
                {"hit_rate":0.625,"hits":5,"misses":3,"l1_hits":2,"l2_hits":1,"l3_hits":2,"tokens_saved":1200,\
                "cost_saved_cents":4.5,"cost_saved_usd":0.045,"entries":7,"total_requests":8}""");

        CacheStats stats = client.getCacheStats();

        assertEquals(0.625, stats.hitRate());
        assertEquals(5, stats.hits());
        assertEquals(3, stats.misses());
        assertEquals(List.of(2L, 1L, 2L), List.of(stats.l1Hits(), stats.l2Hits(), stats.l3Hits()));
        assertEquals(1200, stats.tokensSaved());
        assertEquals(0, new BigDecimal("4.5").compareTo(stats.costSavedCents()));
        assertEquals(7, stats.entries());
        assertEquals(8, stats.totalRequests());
    }

    @Test
    void vectorStoresAreCreatedListedSearchedAndDeleted() throws Exception {
        answer("POST /v1/vector_stores", """
                {"id":"vs_abc123","name":"product-documentation","description":"Internal product docs",\
                "file_count":0,"created_at":"2026-03-01T10:00:00Z"}""");
        VectorStore store = client.createVectorStore("product-documentation", "Internal product docs",
                Map.of("team", "engineering"));
        assertEquals("vs_abc123", store.id());
        JsonNode created = sentBody();
        assertEquals("engineering", created.path("metadata").path("team").asText());

        answer("GET /v1/vector_stores", "{\"object\":\"list\",\"data\":[{\"id\":\"vs_abc123\",\"name\":\"p\","
                + "\"file_count\":2,\"created_at\":1767000000}]}");
        assertEquals(2, client.listVectorStores().getFirst().fileCount());
        server.takeRequest();

        answer("POST /v1/vector_stores/vs_abc123/files", "{\"id\":\"vf_xyz\",\"filename\":\"architecture.md\","
                + "\"chunks\":3}");
        VectorStoreFile file = client.addVectorStoreFile("vs_abc123", "Full document text...", "architecture.md",
                Map.of("version", "3.0"));
        assertEquals(new VectorStoreFile("vf_xyz", "architecture.md", 3, file.json()), file);
        assertEquals("Full document text...", sentBody().path("content").asText());

        answer("POST /v1/vector_stores/vs_abc123/search", """
                {"results":[{"file_id":"vf_xyz","filename":"architecture.md","content":"...chunk...",\
                "score":0.91}],"total":1}""");
        VectorSearchResult found = client.searchVectorStore("vs_abc123", "How does the caching layer work?", 5, 0.7);
        assertEquals(List.of(new SearchHit("vf_xyz", "architecture.md", "...chunk...", 0.91)), found.results());
        JsonNode search = sentBody();
        assertEquals(0.7, search.path("score_threshold").asDouble());
        assertEquals(5, search.path("max_results").asInt());

        answer("GET /v1/vector_stores/vs_abc123/files", "{\"data\":[{\"id\":\"vf_xyz\",\"filename\":\"a.md\"}]}");
        assertEquals("vf_xyz", client.listVectorStoreFiles("vs_abc123").getFirst().id());
        server.takeRequest();
        answer("GET /v1/vector_stores/vs_abc123", "{\"id\":\"vs_abc123\",\"name\":\"p\"}");
        assertEquals("p", client.getVectorStore("vs_abc123").name());
        server.takeRequest();
        answer("DELETE /v1/vector_stores/vs_abc123", "{\"id\":\"vs_abc123\",\"deleted\":true}");
        assertTrue(client.deleteVectorStore("vs_abc123"));
    }

    @Test
    void ragIngestAndQuerySendTheReferenceFields() throws Exception {
        answer("POST /v1/rag/ingest", "{\"store_id\":\"vs_abc123\",\"file_id\":\"vf_1\",\"chunks_created\":4,"
                + "\"status\":\"completed\"}");
        RagIngestResult ingested = client.ragIngest(RagDocument.of("Full document text...", "vs_abc123")
                .withFilename("report-q4.txt").withMetadata(Map.of("source", "internal")));
        assertEquals(new RagIngestResult("vs_abc123", "vf_1", 4, "completed"), ingested);
        JsonNode sent = sentBody();
        assertEquals(512, sent.path("chunk_size").asInt());
        assertEquals(64, sent.path("chunk_overlap").asInt());
        assertEquals("internal", sent.path("metadata").path("source").asText());

        answer("POST /v1/rag/query", """
                {"chunks":[{"file_id":"vf_1","filename":"report-q4.txt","content":"Revenue was $4M","score":0.8}],\
                "context":"Revenue was $4M","total":1}""");
        RagQueryResult result = client.ragQuery(RagQuery.of("What were the Q4 revenue figures?", "vs_abc123"));
        assertEquals(Optional.of("Revenue was $4M"), result.context());
        assertEquals(1, result.chunks().size());
        assertTrue(sentBody().path("include_context").asBoolean());
    }

    @Test
    void complianceScanReadsTheComplianceResult() throws Exception {
        answer("POST /api/compliance/scan", """
                {"has_violations":true,"compliance_score":0.2,"risk_level":"high","recommended_action":"Block",\
                "violations":["ssn"],"pii_detected":["ssn"],"recommendations":["remove the SSN"],\
                "redacted_content":"My SSN is [SSN]"}""");

        ComplianceResult result = client.checkCompliance("My SSN is 123-45-6789", "hipaa",
                ScanContext.of("user-123", "acme"));

        assertTrue(result.hasViolations());
        assertTrue(result.blocked());
        assertEquals("high", result.riskLevel());
        assertEquals(List.of("ssn"), result.piiDetected());
        assertEquals(Optional.of("My SSN is [SSN]"), result.redactedContent());
        JsonNode sent = sentBody();
        assertEquals("hipaa", sent.path("policy").asText());
        assertEquals("user-123", sent.path("user_id").asText());
        assertEquals("acme", sent.path("org_id").asText());
    }

    @Test
    void intelligentScanFeedbackAndRedaction() throws Exception {
        answer("POST /api/compliance/intelligent/scan", """
                {"scan_id":"scan-xyz","has_violations":true,"risk_score":0.82,"risk_level":"high",\
                "recommended_action":"Block","explanation":"card number","regex_violations":\
                [{"violation_type":"credit_card","severity":"high"}],"ml_violations":[],"behavior_deviations":[],\
                "processing_time_us":850}""");
        IntelligentScanResult scan = client.intelligentScan("Please send payment to card 4111-1111-1111-1111",
                ScanContext.of("support_agent_42", "acme_corporation").withContext("customer_support"));
        assertEquals(Optional.of("scan-xyz"), scan.scanId());
        assertEquals(0.82, scan.riskScore());
        assertEquals("Block", scan.recommendedAction());
        assertEquals("credit_card", scan.regexViolations().getFirst().path("violation_type").asText());
        assertEquals(850, scan.processingTimeUs());
        assertEquals("customer_support", sentBody().path("context").asText());

        answer("POST /api/compliance/intelligent/feedback", "{\"success\":true}");
        client.submitComplianceFeedback("scan-xyz", true, "admin_user", "555-0100 is a known test number");
        JsonNode feedback = sentBody();
        assertTrue(feedback.path("is_false_positive").asBoolean());
        assertEquals("admin_user", feedback.path("user_id").asText());
        client.submitComplianceCorrection("scan-xyz", "Allow", "low", "internal terminology");
        assertEquals("Allow", sentBody().path("correct_action").asText());

        answer("POST /api/compliance/redact", "{\"redacted_content\":\"Call me at [PHONE], email [EMAIL]\"}");
        assertEquals("Call me at [PHONE], email [EMAIL]",
                client.redactPii("Call me at 555-867-5309, email john@example.com"));
    }

    @Test
    void learningAndMlFigures() {
        answer("GET /api/compliance/intelligent/learning/status/user-alice",
                "{\"user_id\":\"user-alice\",\"progress_percent\":42.5,\"learning_complete\":false}");
        answer("GET /api/compliance/intelligent/learning/summary",
                "{\"total_users\":12,\"users_learning_complete\":4,\"config_learning_days\":14}");
        answer("GET /api/compliance/intelligent/ml/stats", "{\"total_patterns\":40,\"learned_patterns\":6,"
                + "\"average_confidence\":0.83,\"categories\":{\"pii\":30,\"secrets\":10}}");
        answer("GET /api/compliance/intelligent/org/baseline/acme-corp",
                "{\"org_id\":\"acme-corp\",\"violation_rate\":0.031}");
        answer("GET /api/compliance/intelligent/org/summary", "{\"orgs\":2}");
        answer("GET /api/compliance/intelligent/persistence/stats", "{\"saved_records\":99}");
        answer("POST /api/compliance/intelligent/persistence/save", "{\"success\":true}");
        answer("GET /api/compliance/intelligent/health", "{\"status\":\"healthy\"}");

        assertEquals(42.5, client.getLearningStatus("user-alice").progressPercent());
        assertFalse(client.getLearningStatus("user-alice").learningComplete());
        assertEquals(new LearningSummary(12, 4, 14, client.getLearningSummary().json()), client.getLearningSummary());
        MlStats ml = client.getMlStats();
        assertEquals(List.of("pii", "secrets"), ml.categories());
        assertEquals(0.83, ml.averageConfidence());
        assertEquals(0.031, client.getOrgBaseline("acme-corp").violationRate());
        assertEquals(2, client.getOrgSummary().path("orgs").asInt());
        assertEquals(99, client.getPersistenceStats().figure("saved_records"));
        assertTrue(client.saveComplianceData().path("success").asBoolean());
        assertEquals("healthy", client.getIntelligentHealth().path("status").asText());
    }

    @Test
    void policyLibraryCalls() throws Exception {
        answer("GET /api/stats", "{\"total_policies\":42,\"total_presets\":8,\"total_applications\":1204,"
                + "\"compliance_violations\":3}");
        assertEquals(42, client.getPolicyStats().path("total_policies").asInt());
        server.takeRequest();
        answer("POST /api/policies", "{\"id\":\"pol_1\",\"name\":\"HIPAA PHI Protection\"}");
        assertEquals("pol_1", client.createPolicy(Map.of("name", "HIPAA PHI Protection", "policy_type",
                "compliance", "content", "No PHI.", "priority", 90)).path("id").asText());
        assertEquals(90, sentBody().path("priority").asInt());
        answer("PATCH /api/policies/pol_1", "{\"id\":\"pol_1\",\"is_active\":false}");
        assertFalse(client.updatePolicy("pol_1", Map.of("is_active", false)).path("is_active").asBoolean());
        assertEquals("PATCH", server.takeRequest().getMethod());
        answer("POST /api/presets", "{\"id\":\"pre_1\"}");
        client.createPreset(Map.of("name", "Healthcare Standard", "policy_ids", List.of("pol_1", "pol_2")));
        assertEquals("pol_2", sentBody().path("policy_ids").path(1).asText());
        answer("POST /api/policies/generate", "{\"success\":true,\"job_id\":\"job-1\"}");
        assertEquals("job-1", client.uploadPolicyDocument("handbook".getBytes(), "hipaa.txt").path("job_id")
                .asText());
        assertTrue(server.takeRequest().getBody().utf8().contains("filename=\"hipaa.txt\""));
        answer("GET /api/policies/generate/job-1", "{\"job\":{\"status\":\"processing\",\"progress_pct\":62}}");
        assertEquals(62, client.getPolicyJob("job-1").path("job").path("progress_pct").asInt());
        answer("GET /api/policies/generate/job-1/suggestions", "{\"total_policies\":7,\"suggested_policies\":[]}");
        assertEquals(7, client.getPolicySuggestions("job-1").path("total_policies").asInt());
        answer("GET /api/policies", "{\"policies\":[{\"id\":\"pol_1\"}]}");
        assertEquals("pol_1", client.listPolicies().path("policies").path(0).path("id").asText());
        answer("GET /api/policies/pol_1", "{\"id\":\"pol_1\",\"severity\":\"critical\"}");
        assertEquals("critical", client.getPolicy("pol_1").path("severity").asText());
        answer("DELETE /api/policies/pol_1", "{\"success\":true}");
        assertTrue(client.deletePolicy("pol_1").path("success").asBoolean());
        answer("GET /api/presets", "{\"presets\":[{\"id\":\"pre_1\"}]}");
        assertEquals("pre_1", client.listPresets().path("presets").path(0).path("id").asText());
        answer("GET /api/presets/pre_1", "{\"id\":\"pre_1\",\"policies\":[{\"id\":\"pol_2\"}]}");
        assertEquals("pol_2", client.getPreset("pre_1").path("policies").path(0).path("id").asText());
    }

    @Test
    void mcpToolCallsSearchAndUsage() throws Exception {
        answer("POST /github-tools/mcp/", """
                {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"Issue #7 created"}],\
                "isError":false}}""");
        ToolResult result = client.callTool("github-tools", "create_issue", Map.of("repo", "my-org/my-repo",
                "title", "Bug: login fails on mobile"));
        assertEquals("Issue #7 created", result.text());
        RecordedRequest call = server.takeRequest();
        JsonNode rpc = JSON.readTree(call.getBody().utf8());
        assertEquals("tools/call", rpc.path("method").asText());
        assertEquals("create_issue", rpc.path("params").path("name").asText());
        assertEquals("my-org/my-repo", rpc.path("params").path("arguments").path("repo").asText());
        assertTrue(call.getHeaders().get("Accept").contains("text/event-stream"));

        answers.put("POST /github-tools/mcp/", new MockResponse.Builder()
                .addHeader("content-type", "text/event-stream").body("""
                        event: message
                        data: {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"via SSE"}]}}

                        """).build());
        assertEquals("via SSE", client.callTool("github-tools", "list_repos", Map.of()).text());
        server.takeRequest();

        answer("POST /github-tools/mcp/", "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,"
                + "\"message\":\"tool 'delete_repo' is not allowed\"}}");
        SmartflowException refused = assertThrows(SmartflowException.class,
                () -> client.callTool("github-tools", "delete_repo", Map.of()));
        assertEquals("mcp_error", refused.type());
        assertEquals(Optional.of("-32602"), refused.code());
        server.takeRequest();

        answer("GET /api/mcp/tools/search", """
                {"results":[{"server_id":"github-tools","name":"create_issue","description":"Create an issue",\
                "score":0.93}]}""");
        McpTool tool = client.searchTools("create github issue", 3).getFirst();
        assertEquals("github-tools.create_issue", tool.qualifiedName());
        assertEquals("object", tool.inputSchema().path("type").asText());
        assertEquals("k=3", server.takeRequest().getUrl().query().replaceAll(".*&", ""));

        answer("GET /api/mcp/tools", """
                {"tools":[{"server_id":"github-tools","name":"list_repos","description":"List repos",\
                "input_schema":{"type":"object","properties":{"org":{"type":"string"}}}}]}""");
        assertEquals("string", client.listTools().getFirst().inputSchema().path("properties").path("org")
                .path("type").asText());
        answer("GET /api/mcp/usage", "{\"servers\":[{\"server_id\":\"github-tools\",\"calls\":3}]}");
        assertEquals(3, client.getMcpUsage().path("servers").path(0).path("calls").asInt());
    }

    @Test
    void a2aTasksAndCards() throws Exception {
        answers.put("POST /a2a/summarizer-agent", new MockResponse.Builder()
                .addHeader("content-type", "application/json").addHeader("x-a2a-trace-id", "trace-abc-123")
                .body("{\"result\":{\"id\":\"task-1\",\"parts\":[{\"type\":\"text\",\"text\":\"Q4 was strong.\"}]}}")
                .build());
        A2aTaskResult result = client.sendA2aTask("summarizer-agent", "Summarise the Q4 earnings report.",
                "trace-abc-123");
        assertEquals("Q4 was strong.", result.text());
        assertEquals(Optional.of("trace-abc-123"), result.traceId());
        RecordedRequest sent = server.takeRequest();
        assertEquals("trace-abc-123", sent.getHeaders().get("x-a2a-trace-id"));
        JsonNode body = JSON.readTree(sent.getBody().utf8());
        assertEquals("Summarise the Q4 earnings report.", body.path("message").path("parts").path(0).path("text")
                .asText());

        answer("GET /a2a/summarizer-agent/.well-known/agent.json",
                "{\"name\":\"Summarizer\",\"capabilities\":{\"streaming\":true}}");
        AgentCard card = client.getAgentCard("summarizer-agent");
        assertEquals("Summarizer", card.name());
        assertTrue(card.capabilities().path("streaming").asBoolean());
    }
}
