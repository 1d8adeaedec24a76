package dev.smartflow.cache.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.spi.VectorFile;
import dev.smartflow.core.spi.VectorStore;
import dev.smartflow.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RagTest {
    private final InMemoryDatabase database = new InMemoryDatabase();
    private final VectorStores stores = VectorStores.builder(database.vectorStores(), new WordEmbedder())
            .refreshEvery(Duration.ZERO).build();
    private final Rag rag = new Rag(stores);
    private final VectorStore store = stores.create("app:test", NewVectorStore.named("handbook"));

    @AfterEach
    void close() {
        stores.close();
    }

    @Test
    void anIngestReportsItsChunksAndAQueryAnswersTheBestChunksWithTheirContext() {
        Rag.Ingested ingested = rag.ingest("app:test", store.id(), Document.of(VectorStoresTest.HANDBOOK)
                .withFilename("handbook.md").withChunking(300, 0));

        Rag.Answer answer = rag.query("app:test", RagQuery.of(store.id(), "submit expense reports receipt")
                .withMaxResults(2));

        assertEquals(new Rag.Ingested(store.id(), ingested.fileId(), 3, 3, VectorFile.Status.COMPLETED), ingested);
        assertEquals(2, answer.total());
        assertTrue(answer.chunks().getFirst().content().startsWith("Expense reports."));
        assertEquals(Optional.of("[1] handbook.md\n" + answer.chunks().get(0).content() + "\n\n[2] handbook.md\n"
                + answer.chunks().get(1).content()), answer.context());
    }

    @Test
    void theContextIsLeftOutWhenNotWantedAndNamesNoFileWithoutAName() {
        rag.ingest("app:test", store.id(), Document.of("Cider is made from apples."));

        assertEquals(Optional.empty(), rag.query("app:test", RagQuery.of(store.id(), "apples").withoutContext())
                .context());
        assertEquals(Optional.of("[1]\nCider is made from apples."),
                rag.query("app:test", RagQuery.of(store.id(), "apples")).context());
        assertEquals("", Rag.context(List.of()));
    }

    @Test
    void aBackgroundIngestAnswersInProgressAtOnce() {
        Rag.Ingested started = rag.startIngest("app:test", store.id(), Document.of(VectorStoresTest.HANDBOOK));

        assertEquals(VectorFile.Status.IN_PROGRESS, started.status());
        assertEquals(0, started.chunksCreated());
        Await.until(Duration.ofSeconds(10), "the ingest completes", () -> stores.file("app:test", store.id(),
                started.fileId()).status() == VectorFile.Status.COMPLETED);
        assertTrue(rag.query("app:test", RagQuery.of(store.id(), "vacation")).total() > 0);
    }
}
