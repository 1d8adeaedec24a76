package dev.smartflow.cache.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.cache.rag.RagServer.Answer;
import dev.smartflow.server.Service;
import dev.smartflow.testkit.Await;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vector store and RAG routes end to end: a real gateway, virtual keys of two organisations made on its
 * management API, every call over HTTP on the proxy port.
 */
class VectorStoresHttpTest {
    private static final String CONFIG = "cache:\n  vector_stores:\n    max_file_bytes: 4000\n";
    private static final String HANDBOOK = VectorStoresTest.HANDBOOK;

    @TempDir
    Path dir;

    private final WordEmbedder embedder = new WordEmbedder();
    private RagServer gateway;
    private String acme;
    private String acmeToo;
    private String other;

    @BeforeEach
    void start() throws IOException {
        gateway = new RagServer(dir.resolve("data"), CONFIG, RagServer.wordsModule(embedder));
        acme = gateway.virtualKey("acme-1", "{\"org\":\"acme\"}", "");
        acmeToo = gateway.virtualKey("acme-2", "{\"org\":\"acme\"}", "");
        other = gateway.virtualKey("other", "{\"org\":\"other\"}", "");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void aStoreIsCreatedFilledSearchedAndDeletedOverHttp() throws IOException {
        Answer created = gateway.call("POST", "/v1/vector_stores", """
                {"name":"product-documentation","description":"Internal product docs",\
                "metadata":{"team":"engineering"}}""", acme);
        assertEquals(200, created.status(), created.toString());
        String id = created.text("id");
        assertTrue(id.startsWith("vs_"), id);
        assertEquals("vector_store", created.text("object"));
        assertEquals("product-documentation", created.text("name"));
        assertEquals("Internal product docs", created.text("description"));
        assertEquals("engineering", created.json().path("metadata").path("team").asText());
        assertEquals(0, created.json().path("file_count").asInt());
        assertTrue(created.json().path("created_at").isIntegralNumber());

        Answer file = gateway.call("POST", "/v1/vector_stores/" + id + "/files", """
                {"content":%s,"filename":"handbook.md","metadata":{"version":"3.0"},"chunk_size":300,\
                "chunk_overlap":0}""".formatted(quoted(HANDBOOK)), acme);
        assertEquals(200, file.status(), file.toString());
        assertEquals("vector_store.file", file.text("object"));
        assertEquals("completed", file.text("status"));
        assertEquals(3, file.json().path("chunk_count").asInt());
        assertEquals(3, file.json().path("chunks_embedded").asInt());
        assertEquals(id, file.text("vector_store_id"));
        assertTrue(file.json().path("last_error").isNull());

        Answer search = gateway.call("POST", "/v1/vector_stores/" + id + "/search",
                "{\"query\":\"How many vacation days do I get?\",\"max_results\":2}", acme);
        assertEquals(200, search.status(), search.toString());
        assertEquals(2, search.json().path("total").asInt());
        JsonNode best = search.json().path("results").get(0);
        assertEquals(file.text("id"), best.path("file_id").asText());
        assertEquals("handbook.md", best.path("filename").asText());
        assertTrue(best.path("content").asText().startsWith("Vacation policy."));
        assertTrue(best.path("score").asDouble() > search.json().path("results").get(1).path("score").asDouble());

        Answer store = gateway.call("GET", "/v1/vector_stores/" + id, null, acmeToo);
        assertEquals(200, store.status(), "the same organisation's other key sees it");
        assertEquals(1, store.json().path("file_count").asInt());
        Answer list = gateway.call("GET", "/v1/vector_stores", null, acme);
        assertEquals("list", list.text("object"));
        assertEquals(id, list.json().path("data").get(0).path("id").asText());
        assertEquals(id, list.text("first_id"));
        assertFalse(list.json().path("has_more").asBoolean());
        Answer files = gateway.call("GET", "/v1/vector_stores/" + id + "/files", null, acme);
        assertEquals(file.text("id"), files.json().path("data").get(0).path("id").asText());
        assertEquals(file.json(), gateway.call("GET", "/v1/vector_stores/" + id + "/files/" + file.text("id"), null,
                acme).json());

        Answer deleted = gateway.call("DELETE", "/v1/vector_stores/" + id, null, acme);
        assertEquals(200, deleted.status());
        assertEquals(id, deleted.text("id"));
        assertEquals("vector_store.deleted", deleted.text("object"));
        assertTrue(deleted.json().path("deleted").asBoolean());
        assertEquals(404, gateway.call("GET", "/v1/vector_stores/" + id, null, acme).status());
    }

    @Test
    void ingestAndQueryAnswerTheReferencesShapesWithItsDefaults() throws IOException {
        String id = createStore(acme, "reports");

        Answer ingested = gateway.call("POST", "/v1/rag/ingest", """
                {"content":%s,"vector_store_id":"%s"}""".formatted(quoted(HANDBOOK), id), acme);
        Answer query = gateway.call("POST", "/v1/rag/query", """
                {"query":"lost security badge","vector_store_id":"%s"}""".formatted(id), acme);
        Answer bare = gateway.call("POST", "/v1/rag/query", """
                {"query":"lost security badge","vector_store_id":"%s","max_results":1,"score_threshold":0.1,\
                "include_context":false}""".formatted(id), acme);

        assertEquals(200, ingested.status(), ingested.toString());
        assertEquals(id, ingested.text("store_id"));
        assertTrue(ingested.text("file_id").startsWith("vf_"));
        assertEquals("completed", ingested.text("status"));
        int chunks = ingested.json().path("chunks_created").asInt();
        assertEquals(chunks, ingested.json().path("chunks_total").asInt());
        assertTrue(chunks >= 2, "512-character chunks with 64 of overlap: " + chunks);
        assertEquals(200, query.status(), query.toString());
        assertEquals(Math.min(5, chunks), query.json().path("total").asInt(), "max_results defaults to 5");
        assertTrue(query.json().path("chunks").get(0).path("content").asText().contains("badge"));
        assertTrue(query.text("context").startsWith("[1]\n" + query.json().path("chunks").get(0).path("content")
                .asText()));
        assertEquals(1, bare.json().path("total").asInt());
        assertTrue(bare.json().path("context").isNull());
        Answer file = gateway.call("GET", "/v1/vector_stores/" + id + "/files/" + ingested.text("file_id"), null,
                acme);
        assertEquals("", file.text("filename"), "filename defaults to empty");
        assertEquals(0, file.json().path("metadata").size(), "metadata defaults to {}");
    }

    @Test
    void anotherOrganisationGets404sAndNeverSeesTheStore() throws IOException {
        String id = createStore(acme, "private");
        gateway.call("POST", "/v1/rag/ingest", "{\"content\":\"secret plans for apples\",\"vector_store_id\":\"" + id
                + "\"}", acme);

        List<Answer> refused = new ArrayList<>();
        refused.add(gateway.call("GET", "/v1/vector_stores/" + id, null, other));
        refused.add(gateway.call("DELETE", "/v1/vector_stores/" + id, null, other));
        refused.add(gateway.call("GET", "/v1/vector_stores/" + id + "/files", null, other));
        refused.add(gateway.call("POST", "/v1/vector_stores/" + id + "/files", "{\"content\":\"planted\"}", other));
        refused.add(gateway.call("POST", "/v1/vector_stores/" + id + "/search", "{\"query\":\"apples\"}", other));
        refused.add(gateway.call("POST", "/v1/rag/query", "{\"query\":\"apples\",\"vector_store_id\":\"" + id + "\"}",
                other));
        refused.add(gateway.call("POST", "/v1/rag/ingest", "{\"content\":\"planted\",\"vector_store_id\":\"" + id
                + "\"}", other));

        for (Answer answer : refused) {
            assertEquals(404, answer.status(), answer.toString());
            assertEquals("vector_store_not_found", answer.json().path("error").path("code").asText());
            assertEquals("invalid_request_error", answer.json().path("error").path("type").asText());
        }
        assertEquals(0, gateway.call("GET", "/v1/vector_stores", null, other).json().path("data").size());
        Answer mine = gateway.call("GET", "/v1/vector_stores/" + id, null, acme);
        assertEquals(1, mine.json().path("file_count").asInt(), "nothing was planted or deleted");
        assertEquals(1, gateway.call("POST", "/v1/vector_stores/" + id + "/search", "{\"query\":\"apples\"}", acme)
                .json().path("total").asInt());
    }

    @Test
    void badRequestsAreRefusedInOpenAisErrorShapeNamingTheField() throws IOException {
        String id = createStore(acme, "s");
        String files = "/v1/vector_stores/" + id + "/files";

        assertError(401, null, gateway.call("GET", "/v1/vector_stores", null, null));
        assertError(404, null, gateway.call("GET", "/v1/vector_stores/vs_000000000000000000000000", null, acme));
        assertError(404, null, gateway.call("GET", "/v1/vector_stores/not-an-id", null, acme));
        assertError(404, null, gateway.call("GET", files + "/vf_000000000000000000000000", null, acme));
        assertError(400, "name", gateway.call("POST", "/v1/vector_stores", "{}", acme));
        assertError(400, "name", gateway.call("POST", "/v1/vector_stores", "{\"name\":7}", acme));
        assertError(400, null, gateway.call("POST", "/v1/vector_stores", "{\"name\":", acme));
        assertError(400, "metadata", gateway.call("POST", "/v1/vector_stores", "{\"name\":\"n\",\"metadata\":"
                + "{\"n\":1}}", acme));
        assertError(400, "file_ids", gateway.call("POST", "/v1/vector_stores", "{\"name\":\"n\",\"file_ids\":"
                + "[\"file-1\"]}", acme));
        assertError(400, "content", gateway.call("POST", files, "{\"filename\":\"a\"}", acme));
        assertError(400, "content", gateway.call("POST", files, "{\"content\":\"  \"}", acme));
        assertError(400, "file_id", gateway.call("POST", files, "{\"file_id\":\"file-abc\"}", acme));
        assertError(400, "chunk_overlap", gateway.call("POST", files,
                "{\"content\":\"text\",\"chunk_size\":200,\"chunk_overlap\":200}", acme));
        assertError(400, "chunk_size", gateway.call("POST", files, "{\"content\":\"text\",\"chunk_size\":5}", acme));
        assertError(400, "chunk_size", gateway.call("POST", files, "{\"content\":\"text\",\"chunk_size\":\"512\"}",
                acme));
        assertError(400, "chunk_size", gateway.call("POST", files, "{\"content\":\"text\",\"chunk_size\":1e400}",
                acme));
        assertError(400, "vector_store_id", gateway.call("POST", "/v1/rag/ingest", "{\"content\":\"x\"}", acme));
        assertError(400, "query", gateway.call("POST", "/v1/rag/query", "{\"vector_store_id\":\"" + id + "\"}",
                acme));
        assertError(400, "query", gateway.call("POST", "/v1/vector_stores/" + id + "/search", "{\"query\":\"\"}",
                acme));
        assertError(400, "max_results", gateway.call("POST", "/v1/vector_stores/" + id + "/search",
                "{\"query\":\"q\",\"max_results\":0}", acme));
        assertError(400, "score_threshold", gateway.call("POST", "/v1/vector_stores/" + id + "/search",
                "{\"query\":\"q\",\"score_threshold\":\"high\"}", acme));
        assertError(400, "include_context", gateway.call("POST", "/v1/rag/query", "{\"query\":\"q\","
                + "\"vector_store_id\":\"" + id + "\",\"include_context\":\"yes\"}", acme));
        assertError(400, "limit", gateway.call("GET", "/v1/vector_stores?limit=0", null, acme));
        assertError(400, "limit", gateway.call("GET", "/v1/vector_stores?limit=x", null, acme));
        assertError(400, "order", gateway.call("GET", "/v1/vector_stores?order=up", null, acme));
        assertError(413, "content", gateway.call("POST", files, "{\"content\":" + quoted("word ".repeat(801))
                + "}", acme));
        assertError(413, "query", gateway.call("POST", "/v1/vector_stores/" + id + "/search", "{\"query\":"
                + quoted("q".repeat(8_193)) + "}", acme));

        assertEquals(0, gateway.call("GET", "/v1/vector_stores/" + id, null, acme).json().path("file_count").asInt(),
                "no refused call stored a file");
        assertEquals(1, gateway.call("GET", "/v1/vector_stores", null, acme).json().path("data").size(),
                "no refused call created a store");
    }

    @Test
    void listsArePagedWithLimitOrderAndAfter() throws IOException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(createStore(acme, "s" + i));
        }

        Answer first = gateway.call("GET", "/v1/vector_stores?limit=2", null, acme);
        Answer rest = gateway.call("GET", "/v1/vector_stores?limit=2&after=" + first.text("last_id"), null, acme);
        Answer oldest = gateway.call("GET", "/v1/vector_stores?order=asc&limit=1", null, acme);

        assertEquals(2, first.json().path("data").size());
        assertTrue(first.json().path("has_more").asBoolean());
        assertEquals(1, rest.json().path("data").size());
        assertFalse(rest.json().path("has_more").asBoolean());
        List<String> seen = new ArrayList<>();
        first.json().path("data").forEach(store -> seen.add(store.path("id").asText()));
        rest.json().path("data").forEach(store -> seen.add(store.path("id").asText()));
        assertEquals(ids.stream().sorted().toList(), seen.stream().sorted().toList());
        assertEquals(seen.getLast(), oldest.json().path("data").get(0).path("id").asText());
    }

    @Test
    void aLongIngestInTheBackgroundShowsItsProgressOnTheFilesRoute() throws Exception {
        String id = createStore(acme, "big");
        embedder.hold();

        Answer started = gateway.call("POST", "/v1/rag/ingest", """
                {"content":%s,"vector_store_id":"%s","chunk_size":100,"chunk_overlap":0,"background":true}"""
                .formatted(quoted((HANDBOOK + "\n\n").repeat(5)), id), acme);

        assertEquals(202, started.status(), started.toString());
        assertEquals("in_progress", started.text("status"));
        assertEquals(0, started.json().path("chunks_created").asInt());
        int total = started.json().path("chunks_total").asInt();
        assertTrue(total > 32, "more than one batch of 32: " + total);
        String file = "/v1/vector_stores/" + id + "/files/" + started.text("file_id");
        embedder.awaitBlocked();
        embedder.release(1);
        Await.until(Duration.ofSeconds(10), "the first batch is stored",
                () -> gateway.call("GET", file, null, acme).json().path("chunks_embedded").asInt() > 0);
        Answer halfway = gateway.call("GET", file, null, acme);
        assertEquals("in_progress", halfway.text("status"));
        assertEquals(total, halfway.json().path("chunk_count").asInt());
        assertTrue(halfway.json().path("chunks_embedded").asInt() < total);

        embedder.release(1_000);
        Await.until(Duration.ofSeconds(10), "the ingest completes",
                () -> gateway.call("GET", file, null, acme).text("status").equals("completed"));
        assertEquals(total, gateway.call("GET", file, null, acme).json().path("chunks_embedded").asInt());
    }

    @Test
    void everyCallIsAuditedUnderItsRouteAndCountsAgainstTheKeysRateLimit() throws Exception {
        String limited = gateway.virtualKey("limited", "{\"org\":\"acme\"}", "\"rpm_limit\":2");
        String id = createStore(acme, "s");

        assertEquals(200, gateway.call("POST", "/v1/vector_stores/" + id + "/search", "{\"query\":\"q\"}", limited)
                .status());
        assertEquals(200, gateway.call("GET", "/v1/vector_stores/" + id, null, limited).status());
        Answer third = gateway.call("GET", "/v1/vector_stores/" + id, null, limited);

        assertEquals(429, third.status(), third.toString());
        assertEquals("rate_limit_exceeded", third.json().path("error").path("code").asText());
        Await.until(Duration.ofSeconds(10), "the calls are audited", () -> routes().contains(
                "/v1/vector_stores/{id}/search 200") && routes().contains("/v1/vector_stores/{id} 429"));
        assertTrue(routes().contains("/v1/vector_stores 200"), routes().toString());
    }

    @Test
    void aRestartedGatewayRebuildsTheIndexFromItsDataDirectoryAndSearchesAsBefore() throws IOException {
        String id = createStore(acme, "durable");
        gateway.call("POST", "/v1/rag/ingest", """
                {"content":%s,"vector_store_id":"%s","chunk_size":300,"chunk_overlap":0}"""
                .formatted(quoted(HANDBOOK), id), acme);
        String question = "{\"query\":\"expense receipts approval\",\"max_results\":3}";
        JsonNode before = gateway.call("POST", "/v1/vector_stores/" + id + "/search", question, acme).json();
        gateway.close();

        gateway = new RagServer(dir.resolve("data"), CONFIG, RagServer.wordsModule(new WordEmbedder()));
        JsonNode after = gateway.call("POST", "/v1/vector_stores/" + id + "/search", question, acme).json();

        assertEquals(3, before.path("total").asInt());
        assertEquals(before, after);
        assertTrue(after.path("results").get(0).path("content").asText().startsWith("Expense reports."));
    }

    private String createStore(String key, String name) throws IOException {
        Answer created = gateway.call("POST", "/v1/vector_stores", "{\"name\":\"" + name + "\"}", key);
        assertEquals(200, created.status(), created.toString());
        return created.text("id");
    }

    /** Each audited call as {@code "<route> <status>"}. */
    private List<String> routes() throws IOException {
        try (Response logs = gateway.send("GET", gateway.url(Service.MANAGEMENT, "/api/vas/logs?limit=1000"), null,
                RagServer.MASTER)) {
            List<String> routes = new ArrayList<>();
            RagServer.JSON.readTree(logs.body().string()).path("data")
                    .forEach(entry -> routes.add(entry.path("route").asText() + " " + entry.path("status").asInt()));
            return routes;
        }
    }

    private static void assertError(int status, String param, Answer answer) {
        assertEquals(status, answer.status(), answer.toString());
        JsonNode error = answer.json().path("error");
        assertTrue(error.path("message").isTextual(), answer.toString());
        assertTrue(error.has("type") && error.has("code") && error.has("param"), answer.toString());
        if (param != null) {
            assertEquals(param, error.path("param").asText(), answer.toString());
        }
    }

    private static String quoted(String text) {
        try {
            return RagServer.JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
