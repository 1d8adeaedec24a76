package dev.smartflow.cache.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.Embedder;
import dev.smartflow.core.spi.VectorStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's in-process example, as written there, on an in-memory database and the test embedder. */
class ReadmeExampleTest {
    @Test
    void theInProcessExampleRunsAsDocumented() {
        Database database = new InMemoryDatabase();
        Embedder embedder = new WordEmbedder();
        String text = "How the cache works: three tiers answer repeated questions.";
        String report = "Q4 revenue figures: revenue grew twelve percent to four million.";
        List<SearchHit> hits;
        String system;

        try (VectorStores stores = VectorStores.builder(database.vectorStores(), embedder).build()) {
            String tenant = Principal.embedded("docs-app").tenant();
            VectorStore docs = stores.create(tenant, NewVectorStore.named("product-docs"));
            stores.addFile(tenant, docs.id(), Document.of(text).withFilename("architecture.md"));
            hits = stores.search(tenant, docs.id(), "How does the cache work?", 5, 0.3);

            Rag rag = new Rag(stores);
            rag.ingest(tenant, docs.id(), Document.of(report).withFilename("report-q4.txt").withChunking(800, 100));
            Rag.Answer answer = rag.query(tenant, RagQuery.of(docs.id(), "What were the Q4 revenue figures?"));
            system = "Answer from these sources:\n\n" + answer.context().orElse("");
        }

        assertEquals(1, hits.size());
        assertEquals("architecture.md", hits.getFirst().filename());
        assertTrue(system.startsWith("Answer from these sources:\n\n[1] report-q4.txt\nQ4 revenue"), system);
    }
}
