package dev.smartflow.compliance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.compliance.policy.PolicyGateway.Answer;
import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.PolicyJob;
import dev.smartflow.store.sql.SqlDatabase;
import dev.smartflow.testkit.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Document-to-policy through a real server: real PDF, DOCX and text files made in the test, a model speaking OpenAI's
 * wire format whose answers the test can hold back, progress watched as it moves, suggestions accepted as live
 * policies, bad files refused, and jobs that outlive their server.
 */
class DocumentJobsTest {
    private static final String SMALL_CHUNKS = """
            policy:
              generate: {model: gpt-4o, chunk_chars: 1000, lease_seconds: 5}
            """;
    private static final List<List<String>> HANDBOOK = List.of(
            Documents.page("Minimum Necessary Standard | compliance | HIPAA"),
            Documents.page("Friendly Tone | brand | none"),
            Documents.page("No Card Numbers | security | PCI-DSS"));

    @TempDir
    Path dataDir;
    private FakeOpenAi upstream;
    private final FakeModel model = new FakeModel();
    private final List<PolicyGateway> gateways = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAi();
        upstream.answer(model::answer);
    }

    @AfterEach
    void stop() {
        model.releaseAll();
        gateways.forEach(PolicyGateway::close);
        upstream.close();
    }

    private PolicyGateway gateway(String yaml) {
        PolicyGateway gateway = new PolicyGateway(dataDir, upstream, yaml);
        gateways.add(gateway);
        return gateway;
    }

    private static JsonNode job(PolicyGateway gateway, String id) {
        Answer answer = gateway.admin("GET", "/api/policies/generate/" + id, null);
        assertEquals(200, answer.status(), answer.body());
        return answer.json().path("job");
    }

    /** Polls the job until {@code done} holds, recording every progress figure seen on the way. */
    private static JsonNode awaitJob(PolicyGateway gateway, String id, List<Integer> seen, String what,
                                     java.util.function.Predicate<JsonNode> done) {
        JsonNode[] last = new JsonNode[1];
        Await.until(Duration.ofSeconds(20), what, () -> {
            last[0] = job(gateway, id);
            int pct = last[0].path("progress_pct").asInt();
            if (seen.isEmpty() || seen.getLast() != pct) {
                seen.add(pct);
            }
            return done.test(last[0]);
        });
        return last[0];
    }

    private static String submit(PolicyGateway gateway, String filename, String type, byte[] bytes,
                                 String... fields) {
        Answer accepted = gateway.upload(filename, type, bytes, fields);
        assertEquals(202, accepted.status(), accepted.body());
        assertTrue(accepted.json().path("success").asBoolean());
        assertEquals("Document processing started.", accepted.json().path("message").asText());
        return accepted.json().path("job_id").asText();
    }

    private static List<String> names(JsonNode suggestions) {
        List<String> names = new ArrayList<>();
        suggestions.forEach(s -> names.add(s.path("name").asText()));
        return names;
    }

    @Test
    void aPdfHandbookBecomesSuggestedPoliciesWithProgressThatMoves() {
        PolicyGateway gateway = gateway(SMALL_CHUNKS);
        model.hold(1);
        model.hold(2);
        model.hold(3);
        List<Integer> seen = new ArrayList<>();

        String id = submit(gateway, "hipaa-policy-handbook.pdf", "application/pdf", Documents.pdf(HANDBOOK));
        JsonNode read = awaitJob(gateway, id, seen, "the handbook read, its first part with the model",
                j -> j.path("chunks_total").asInt() == 3 && model.parts.size() == 1);
        assertEquals("processing", read.path("status").asText());
        assertEquals(40, read.path("progress_pct").asInt());
        assertEquals(3, read.path("pages").asInt());
        assertEquals("hipaa-policy-handbook.pdf", read.path("filename").asText());
        assertEquals(409, gateway.admin("GET", "/api/policies/generate/" + id + "/suggestions", null).status());

        model.release(1);
        awaitJob(gateway, id, seen, "one part analysed", j -> j.path("chunks_done").asInt() == 1);
        model.release(2);
        awaitJob(gateway, id, seen, "two parts analysed", j -> j.path("chunks_done").asInt() == 2);
        model.release(3);
        JsonNode done = awaitJob(gateway, id, seen, "completed", j -> j.path("status").asText().equals("completed"));

        assertEquals(100, done.path("progress_pct").asInt());
        assertEquals(List.of(40, 60, 80, 100), seen.subList(seen.indexOf(40), seen.size()));
        JsonNode suggestions = gateway.admin("GET", "/api/policies/generate/" + id + "/suggestions", null).json();
        assertEquals(id, suggestions.path("job_id").asText());
        assertEquals(3, suggestions.path("total_policies").asInt());
        assertEquals(List.of("Minimum Necessary Standard", "Friendly Tone", "No Card Numbers"),
                names(suggestions.path("suggested_policies")));
        JsonNode first = suggestions.path("suggested_policies").get(0);
        assertTrue(first.path("id").asText().startsWith("sugg_"));
        assertEquals("compliance", first.path("type").asText());
        assertEquals("HIPAA", first.path("regulatory_framework").asText());
        assertEquals(0.9, first.path("confidence").asDouble());
        assertTrue(suggestions.path("suggested_policies").get(1).path("regulatory_framework").isNull());

        JsonNode sent = model.requests.getFirst();
        assertEquals("gpt-4o", sent.path("model").asText());
        assertEquals("policy_suggestions", sent.path("response_format").path("json_schema").path("name").asText());
        assertTrue(sent.path("messages").get(1).path("content").asText().contains("RULE: Minimum Necessary"));
        assertEquals(List.of(1, 2, 3), model.parts);
    }

    @Test
    void anAcceptedSuggestionBecomesALivePolicyOnce() {
        PolicyGateway gateway = gateway(SMALL_CHUNKS);
        String id = submit(gateway, "handbook.pdf", "application/pdf", Documents.pdf(HANDBOOK));
        awaitJob(gateway, id, new ArrayList<>(), "completed", j -> j.path("status").asText().equals("completed"));
        JsonNode suggestion = gateway.admin("GET", "/api/policies/generate/" + id + "/suggestions", null).json()
                .path("suggested_policies").get(2);
        String accept = "/api/policies/generate/" + id + "/suggestions/" + suggestion.path("id").asText() + "/accept";

        Answer accepted = gateway.admin("POST", accept, "{\"action\": \"block\", \"applicable_models\": [\"gpt-4o\"]}");
        Answer again = gateway.admin("POST", accept, null);

        assertEquals(201, accepted.status(), accepted.body());
        JsonNode policy = accepted.json().path("policy");
        assertEquals("No Card Numbers", policy.path("name").asText());
        assertEquals("security", policy.path("policy_type").asText());
        assertEquals(85, policy.path("priority").asInt());
        assertEquals("high", policy.path("severity").asText());
        assertEquals("block", policy.path("action").asText());
        assertEquals("PCI-DSS", policy.path("regulatory_framework").asText());
        assertEquals(policy, gateway.admin("GET", "/api/policies/" + policy.path("id").asText(), null).json()
                .path("policy"));
        assertEquals(409, again.status());
        assertEquals("suggestion_already_accepted", again.errorCode());
        assertTrue(again.json().path("error").path("message").asText().contains(policy.path("id").asText()));
        assertEquals(policy.path("id"), gateway.admin("GET", "/api/policies/generate/" + id + "/suggestions", null)
                .json().path("suggested_policies").get(2).path("accepted_policy_id"));
        assertEquals(404, gateway.admin("POST", "/api/policies/generate/" + id + "/suggestions/sugg_none/accept",
                null).status());
    }

    @Test
    void docxAndTextDocumentsAreReadToo() {
        PolicyGateway gateway = gateway(SMALL_CHUNKS);
        byte[] docx = Documents.docx(List.of("Employee handbook", "RULE: Disclaimer Required | legal | none"),
                List.of("RULE: No Slang | brand | none", "applies to all staff"));
        byte[] text = "Policies\n\nRULE: GDPR Consent | compliance | GDPR\n".getBytes(StandardCharsets.UTF_8);

        String fromDocx = submit(gateway, "handbook.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx,
                "model", "gpt-4o-mini");
        String fromText = submit(gateway, "rules.txt", "text/plain", text);
        awaitJob(gateway, fromDocx, new ArrayList<>(), "docx done", j -> j.path("status").asText().equals("completed"));
        awaitJob(gateway, fromText, new ArrayList<>(), "txt done", j -> j.path("status").asText().equals("completed"));

        assertEquals(List.of("Disclaimer Required", "No Slang"), names(gateway.admin("GET", "/api/policies/generate/"
                + fromDocx + "/suggestions", null).json().path("suggested_policies")));
        assertEquals(List.of("GDPR Consent"), names(gateway.admin("GET", "/api/policies/generate/" + fromText
                + "/suggestions", null).json().path("suggested_policies")));
        assertEquals("docx", job(gateway, fromDocx).path("format").asText());
        assertEquals("gpt-4o-mini", job(gateway, fromDocx).path("model").asText());
        assertTrue(model.requests.stream().anyMatch(r -> r.path("model").asText().equals("gpt-4o-mini")));
        JsonNode list = gateway.admin("GET", "/api/policies/generate", null).json();
        assertEquals(2, list.path("total").asInt());
    }

    @Test
    void badFilesAreRefusedWithAReasonAndLeaveNothingBehind() throws IOException {
        PolicyGateway gateway = gateway("""
                policy:
                  generate: {max_document_mb: 1}
                """);
        Map<String, Answer> refusals = new java.util.LinkedHashMap<>();
        refusals.put("unsupported_document", gateway.upload("report.pdf", "application/pdf",
                "just some words".getBytes(StandardCharsets.UTF_8)));
        refusals.put("invalid_document", gateway.upload("broken.pdf", "application/pdf",
                "%PDF-1.7\nthis is not really a PDF".getBytes(StandardCharsets.UTF_8)));
        refusals.put("encrypted_document", gateway.upload("locked.pdf", "application/pdf",
                Documents.pdf(HANDBOOK, "user-secret")));
        refusals.put("empty_document", gateway.upload("empty.txt", "text/plain", new byte[0]));
        refusals.put("unsupported_document ", gateway.upload("archive.docx", "application/zip", zip()));
        refusals.put("unsupported_document  ", gateway.upload("legacy.doc", "application/msword",
                new byte[] {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, 0, 0, 0, 0}));
        refusals.put("unsupported_document   ", gateway.upload("binary.txt", "text/plain", new byte[] {'a', 0, 'b'}));
        for (Map.Entry<String, Answer> refusal : refusals.entrySet()) {
            assertEquals(400, refusal.getValue().status(), refusal.getKey() + ": " + refusal.getValue().body());
            assertEquals(refusal.getKey().strip(), refusal.getValue().errorCode(), refusal.getValue().body());
        }
        Answer tooLarge = gateway.upload("huge.txt", "text/plain", "a".repeat(1_600_000)
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(413, tooLarge.status(), tooLarge.body());
        assertEquals("document_too_large", tooLarge.errorCode());
        Answer notAForm = gateway.admin("POST", "/api/policies/generate", "{\"file\": \"x\"}");
        assertEquals("file", notAForm.errorParam());
        Answer unknownField = gateway.upload("rules.txt", "text/plain", "x".getBytes(StandardCharsets.UTF_8),
                "colour", "red");
        assertEquals("colour", unknownField.errorParam());

        assertEquals(0, gateway.admin("GET", "/api/policies/generate", null).json().path("total").asInt());
        try (Stream<Path> left = Files.list(dataDir.resolve("policy-uploads"))) {
            assertEquals(List.of(), left.toList());
        }
        try (Stream<Path> left = Files.list(dataDir.resolve(DocumentJobs.DIRECTORY))) {
            assertEquals(List.of("instance-id"), left.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aDocumentIsHeldToItsOwnLimitNotTheMaximumRequestSize() {
        PolicyGateway gateway = new PolicyGateway(dataDir, upstream, """
                policy:
                  generate: {max_document_mb: 4, chunk_chars: 200000, max_chunks: 1}
                """, Optional.of(new WordsEmbedder()), Map.of("SMARTFLOW_MAX_REQUEST_BYTES", "1048576"));
        gateways.add(gateway);
        byte[] large = ("RULE: Big Rule | legal | none\n" + "filler line of the large handbook\n".repeat(100_000))
                .getBytes(StandardCharsets.UTF_8);

        String id = submit(gateway, "large.txt", "text/plain", large);
        JsonNode done = awaitJob(gateway, id, new ArrayList<>(), "the large document analysed",
                j -> j.path("status").asText().equals("completed"));

        assertTrue(large.length > 3 * 1024 * 1024, "larger than the 1 MiB request limit");
        assertTrue(done.path("truncated").asBoolean(), "only its first chunk was analysed");
        assertEquals(List.of("Big Rule"), names(gateway.admin("GET", "/api/policies/generate/" + id
                + "/suggestions", null).json().path("suggested_policies")));
    }

    @Test
    void aDocumentWithoutTextOrAModelThatAnswersNonsenseFailsTheJobWithAReason() {
        PolicyGateway gateway = gateway(SMALL_CHUNKS);
        String blank = submit(gateway, "scan.pdf", "application/pdf", Documents.pdf(List.of(List.of())));
        JsonNode failed = awaitJob(gateway, blank, new ArrayList<>(), "the blank PDF failed",
                j -> j.path("status").asText().equals("failed"));
        assertEquals("the document has no text to read (a scanned PDF needs OCR first)",
                failed.path("error").asText());

        model.answerWith("I think the policies are about privacy.");
        String nonsense = submit(gateway, "handbook.pdf", "application/pdf", Documents.pdf(HANDBOOK.subList(0, 1)));
        JsonNode failedToo = awaitJob(gateway, nonsense, new ArrayList<>(), "the job failed",
                j -> j.path("status").asText().equals("failed"));
        assertEquals("analysing part 1 of 1: the model's answer is not JSON", failedToo.path("error").asText());
        Answer suggestions = gateway.admin("GET", "/api/policies/generate/" + nonsense + "/suggestions", null);
        assertEquals(409, suggestions.status());
        assertTrue(suggestions.json().path("error").path("message").asText().contains("not JSON"));
        assertEquals(200, gateway.admin("DELETE", "/api/policies/generate/" + nonsense, null).status());
        assertEquals("job_not_found", gateway.admin("GET", "/api/policies/generate/" + nonsense, null).errorCode());
    }

    @Test
    void aJobCutShortByAStopResumesAfterTheRestartWithoutRedoingItsWork() {
        PolicyGateway first = gateway(SMALL_CHUNKS);
        model.hold(2);
        String id = submit(first, "handbook.pdf", "application/pdf", Documents.pdf(HANDBOOK));
        awaitJob(first, id, new ArrayList<>(), "one part analysed, the second under way",
                j -> j.path("chunks_done").asInt() == 1 && model.parts.contains(2));

        first.close();
        gateways.remove(first);
        model.release(2);
        PolicyGateway second = gateway(SMALL_CHUNKS);
        JsonNode done = awaitJob(second, id, new ArrayList<>(), "completed after the restart",
                j -> j.path("status").asText().equals("completed"));

        assertEquals(100, done.path("progress_pct").asInt());
        assertEquals(1, model.parts.stream().filter(p -> p == 1).count(), "part 1 was analysed once: " + model.parts);
        assertEquals(3, second.admin("GET", "/api/policies/generate/" + id + "/suggestions", null).json()
                .path("total_policies").asInt());
        assertFalse(Files.exists(dataDir.resolve(DocumentJobs.DIRECTORY).resolve(id + ".pdf")));
    }

    @Test
    void afterACrashAJobWhoseDocumentIsHereResumesAndOneWhoseDocumentIsLostFails() throws IOException {
        Instant past = Instant.parse("2020-01-01T00:00:00Z");
        try (Database database = SqlDatabase.h2(dataDir)) {
            for (String id : List.of("job-resumable", "job-orphaned")) {
                PolicyJob job = PolicyJob.pending(id, id + ".pdf", "pdf", "gpt-4o", past)
                        .progressed(20, 1, 0, 0, false, past);
                database.policyJobs().create(job);
                database.policyJobs().lease(id, "instance-that-crashed", past, past.plusSeconds(60));
            }
        }
        Files.createDirectories(dataDir.resolve(DocumentJobs.DIRECTORY));
        Files.write(dataDir.resolve(DocumentJobs.DIRECTORY).resolve("job-resumable.pdf"),
                Documents.pdf(HANDBOOK.subList(0, 1)));

        PolicyGateway gateway = gateway(SMALL_CHUNKS);

        JsonNode orphaned = awaitJob(gateway, "job-orphaned", new ArrayList<>(), "the orphan failed",
                j -> j.path("status").asText().equals("failed"));
        JsonNode resumed = awaitJob(gateway, "job-resumable", new ArrayList<>(), "the other completed",
                j -> j.path("status").asText().equals("completed"));
        assertEquals("the server holding the uploaded document stopped before the job finished; upload the "
                + "document again", orphaned.path("error").asText());
        assertEquals(List.of("Minimum Necessary Standard"), names(gateway.admin("GET",
                "/api/policies/generate/job-resumable/suggestions", null).json().path("suggested_policies")));
        assertEquals(Optional.of(100), Optional.of(resumed.path("progress_pct").asInt()));
    }

    private static byte[] zip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("notes.txt"));
            zip.write("hello".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }
}
