package dev.smartflow.cache.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.cache.CacheModule;
import dev.smartflow.cache.embed.EmbeddersProbe;
import dev.smartflow.cache.rag.RagServer.Answer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RAG through the cache module as the server runs it, on the real offline model (all-MiniLM-L6-v2): questions that
 * share almost no words with the text retrieve the paragraph that answers them, before and after a restart.
 */
class RagRealModelTest {
    /** Five topics, one paragraph each, each under 150 characters so that each is one chunk. */
    private static final String POLICIES = """
            Our cafeteria on the ground floor serves hot meals from noon until two o'clock, with vegetarian dishes.

            The garage under building B has two hundred spaces; electric cars charge at the stations on level -1.

            Passwords must be replaced every ninety days and must have at least twelve characters and one digit.

            The pension plan matches what employees put aside for retirement, up to five percent of their salary.

            A fire alarm means leaving by the nearest staircase, never the lifts, and meeting in the north car park.""";
    private static final Map<String, String> QUESTIONS = Map.of(
            "When can I have lunch at work?", "Our cafeteria",
            "Where can I plug in my EV?", "The garage",
            "How often do I have to change my login credentials?", "Passwords must",
            "Does the company add money to my retirement savings?", "The pension plan",
            "What should I do in an emergency evacuation?", "A fire alarm");

    @TempDir
    Path dir;

    @BeforeAll
    static void keepDjlsCacheInTheBuildDirectory() {
        EmbeddersProbe.shared();
    }

    @Test
    void aQuestionRetrievesTheParagraphThatAnswersIt() throws IOException {
        String token;
        String storeId;
        try (RagServer gateway = new RagServer(dir.resolve("data"), "", new CacheModule())) {
            token = gateway.virtualKey("docs", "{\"org\":\"acme\"}", "");
            storeId = gateway.call("POST", "/v1/vector_stores", "{\"name\":\"policies\"}", token).text("id");
            Answer ingested = gateway.call("POST", "/v1/rag/ingest", """
                    {"content":%s,"vector_store_id":"%s","filename":"policies.md","chunk_size":150,\
                    "chunk_overlap":0}""".formatted(RagServer.JSON.writeValueAsString(POLICIES), storeId), token);
            assertEquals(200, ingested.status(), ingested.toString());
            assertEquals(5, ingested.json().path("chunks_created").asInt(), "one chunk per paragraph");

            assertEveryQuestionFindsItsParagraph(gateway, token, storeId);
        }
        try (RagServer restarted = new RagServer(dir.resolve("data"), "", new CacheModule())) {
            assertEveryQuestionFindsItsParagraph(restarted, token, storeId);
        }
    }

    private static void assertEveryQuestionFindsItsParagraph(RagServer gateway, String token, String storeId)
            throws IOException {
        for (Map.Entry<String, String> question : QUESTIONS.entrySet()) {
            Answer answer = gateway.call("POST", "/v1/rag/query", "{\"query\":\"" + question.getKey()
                    + "\",\"vector_store_id\":\"" + storeId + "\",\"max_results\":2}", token);
            assertEquals(200, answer.status(), answer.toString());
            String best = answer.json().path("chunks").get(0).path("content").asText();
            assertTrue(best.startsWith(question.getValue()), question.getKey() + " -> " + best);
            assertTrue(answer.text("context").startsWith("[1] policies.md\n" + question.getValue()));
        }
    }
}
