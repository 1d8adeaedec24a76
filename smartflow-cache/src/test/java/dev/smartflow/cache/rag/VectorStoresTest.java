package dev.smartflow.cache.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.VectorFile;
import dev.smartflow.core.spi.VectorStore;
import dev.smartflow.core.spi.VectorStoreRecords.PageRequest;
import dev.smartflow.testkit.Await;
import dev.smartflow.testkit.Concurrently;
import dev.smartflow.testkit.FakeClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class VectorStoresTest {
    static final String ACME = "org:acme";
    static final String OTHER = "org:other";
    /** Three topics, one paragraph each. */
    static final String HANDBOOK = """
            Vacation policy. Every employee receives twenty five days of paid vacation each year. Unused vacation \
            days carry over to the next year up to a limit of five days. Request vacation through the HR portal.

            Expense reports. Submit expense reports within thirty days of the purchase. Attach every receipt as a \
            scanned image. Travel expenses above five hundred dollars need approval from your manager.

            Security badges. Your security badge opens the office doors between seven and twenty two. Report a \
            lost badge to the security desk at once so it can be blocked.""";

    private final FakeClock clock = new FakeClock();
    private final Database database = new InMemoryDatabase();
    private final WordEmbedder embedder = new WordEmbedder();
    private final VectorStores stores = stores(embedder);

    @AfterEach
    void close() {
        stores.close();
    }

    private VectorStores stores(WordEmbedder with) {
        return VectorStores.builder(database.vectorStores(), with).clock(clock).batchSize(2)
                .refreshEvery(Duration.ZERO).build();
    }

    // --- stores and tenancy

    @Test
    void aStoreIsCreatedReadListedAndDeletedByItsTenant() {
        VectorStore store = stores.create(ACME, new NewVectorStore("product-docs", "Internal product docs",
                Map.of("team", "engineering")));

        assertTrue(VectorStores.STORE_ID.matcher(store.id()).matches(), store.id());
        assertEquals(store, stores.get(ACME, store.id()));
        assertEquals(clock.instant(), store.createdAt());
        assertEquals(embedder.model(), store.embeddingModel());
        assertEquals(List.of(store), stores.list(ACME, PageRequest.newest(10)).items());

        stores.delete(ACME, store.id());

        assertNotFound("vector_store_not_found", () -> stores.get(ACME, store.id()));
        assertEquals(List.of(), stores.list(ACME, PageRequest.newest(10)).items());
    }

    @Test
    void anotherTenantNeverSeesAStore() {
        VectorStore store = stores.create(ACME, NewVectorStore.named("docs"));
        stores.addFile(ACME, store.id(), Document.of(HANDBOOK));

        assertNotFound("vector_store_not_found", () -> stores.get(OTHER, store.id()));
        assertEquals(List.of(), stores.list(OTHER, PageRequest.newest(10)).items());
        assertNotFound("vector_store_not_found", () -> stores.search(OTHER, store.id(), "vacation days", 5, 0));
        assertNotFound("vector_store_not_found", () -> stores.addFile(OTHER, store.id(), Document.of("planted")));
        assertNotFound("vector_store_not_found", () -> stores.files(OTHER, store.id(), PageRequest.newest(10)));
        assertNotFound("vector_store_not_found", () -> stores.delete(OTHER, store.id()));

        assertEquals(1, stores.get(ACME, store.id()).fileCount(), "nothing was planted");
    }

    @Test
    void badStoreFieldsAreRefusedNamingTheFieldAndNothingIsCreated() {
        assertInvalid("name", () -> stores.create(ACME, NewVectorStore.named("  ")));
        assertInvalid("name", () -> stores.create(ACME, NewVectorStore.named("x".repeat(257))));
        assertInvalid("name", () -> stores.create(ACME, NewVectorStore.named("bad\u0000name")));
        assertInvalid("description", () -> stores.create(ACME, NewVectorStore.named("ok").withDescription(
                "d".repeat(513))));
        Map<String, String> many = new HashMap<>();
        IntStream.range(0, 17).forEach(i -> many.put("k" + i, "v"));
        assertInvalid("metadata", () -> stores.create(ACME, NewVectorStore.named("ok").withMetadata(many)));
        assertInvalid("metadata.team", () -> stores.create(ACME, NewVectorStore.named("ok")
                .withMetadata(Map.of("team", "v".repeat(513)))));

        assertEquals(List.of(), stores.list(ACME, PageRequest.newest(10)).items());
    }

    @Test
    void idsThatCannotBeIdsAreNotFoundWithoutBeingRepeated() {
        NotFound missing = assertThrows(NotFound.class, () -> stores.get(ACME, "<script>"));

        assertFalse(missing.getMessage().contains("<script>"), missing.getMessage());
        assertNotFound("vector_store_not_found", () -> stores.get(ACME, "vs_" + "0".repeat(24)));
    }

    // --- files and search

    @Test
    void aQuestionRetrievesTheChunkOfItsTopicFirst() {
        VectorStore store = stores.create(ACME, NewVectorStore.named("handbook"));
        VectorFile file = stores.addFile(ACME, store.id(), Document.of(HANDBOOK).withFilename("handbook.md")
                .withChunking(300, 0));

        List<SearchHit> hits = stores.search(ACME, store.id(), "How many vacation days do I get?", 3, 0);

        assertEquals(VectorFile.Status.COMPLETED, file.status());
        assertEquals(3, file.chunkCount());
        assertEquals(file.chunkCount(), file.chunksEmbedded());
        assertEquals(3, hits.size());
        assertTrue(hits.getFirst().content().startsWith("Vacation policy."), hits.getFirst().content());
        assertEquals("handbook.md", hits.getFirst().filename());
        assertEquals(file.id(), hits.getFirst().fileId());
        assertTrue(hits.get(0).score() > hits.get(1).score() && hits.get(1).score() >= hits.get(2).score());
        assertTrue(stores.search(ACME, store.id(), "lost security badge", 1, 0).getFirst().content()
                .startsWith("Security badges."));
    }

    @Test
    void aScoreThresholdLeavesOutWeakerChunks() {
        VectorStore store = stores.create(ACME, NewVectorStore.named("handbook"));
        stores.addFile(ACME, store.id(), Document.of(HANDBOOK).withChunking(300, 0));

        List<SearchHit> all = stores.search(ACME, store.id(), "expense reports receipt", 5, 0);
        List<SearchHit> strong = stores.search(ACME, store.id(), "expense reports receipt", 5, 0.2);

        assertEquals(3, all.size());
        assertEquals(1, strong.size());
        assertTrue(strong.getFirst().score() >= 0.2);
    }

    @Test
    void badSearchesAreRefusedNamingTheField() {
        VectorStore store = stores.create(ACME, NewVectorStore.named("s"));

        assertInvalid("query", () -> stores.search(ACME, store.id(), " ", 5, 0));
        assertInvalid("max_results", () -> stores.search(ACME, store.id(), "q", 0, 0));
        assertInvalid("max_results", () -> stores.search(ACME, store.id(), "q", 101, 0));
        assertInvalid("score_threshold", () -> stores.search(ACME, store.id(), "q", 5, 1.5));
        assertInvalid("score_threshold", () -> stores.search(ACME, store.id(), "q", 5, Double.NaN));
        GatewayError tooLong = assertThrows(GatewayError.class,
                () -> stores.search(ACME, store.id(), "q".repeat(8_193), 5, 0));
        assertEquals(413, tooLong.status());
        assertEquals(Optional.of("query"), tooLong.param());
    }

    @Test
    void badDocumentsAreRefusedNamingTheFieldAndNothingIsStored() {
        VectorStore store = stores.create(ACME, NewVectorStore.named("s"));
        VectorStores small = VectorStores.builder(database.vectorStores(), embedder).maxFileBytes(100)
                .refreshEvery(Duration.ZERO).build();

        assertInvalid("content", () -> stores.addFile(ACME, store.id(), Document.of(" \n")));
        assertInvalid("chunk_size", () -> stores.addFile(ACME, store.id(), Document.of("x").withChunking(99, 0)));
        assertInvalid("chunk_size", () -> stores.addFile(ACME, store.id(), Document.of("x").withChunking(8_193, 0)));
        assertInvalid("chunk_overlap", () -> stores.addFile(ACME, store.id(), Document.of("x").withChunking(100, 51)));
        assertInvalid("chunk_overlap", () -> stores.addFile(ACME, store.id(), Document.of("x").withChunking(100, -1)));
        assertInvalid("filename", () -> stores.addFile(ACME, store.id(), Document.of("x").withFilename("a\nb")));
        GatewayError tooLarge = assertThrows(GatewayError.class,
                () -> small.addFile(ACME, store.id(), Document.of("é".repeat(51))));
        assertEquals(413, tooLarge.status());
        assertEquals(Optional.of("content"), tooLarge.param());
        small.close();

        assertEquals(0, stores.get(ACME, store.id()).fileCount());
        assertEquals(0, embedder.batches.get(), "nothing was embedded");
    }

    @Test
    void textADatabaseCannotKeepIsStoredWithReplacementCharacters() {
        VectorStore store = stores.create(ACME, NewVectorStore.named("s"));

        stores.addFile(ACME, store.id(), Document.of("nul\u0000here and a lone \ud800 surrogate, a pair 𝄞 kept"));

        assertEquals("nul\uFFFDhere and a lone \uFFFD surrogate, a pair 𝄞 kept",
                stores.search(ACME, store.id(), "surrogate", 1, 0).getFirst().content());
    }

    @Test
    void aFileIsListedAndDeletedAndLeavesTheSearch() {
        VectorStore store = stores.create(ACME, NewVectorStore.named("s"));
        VectorFile keep = stores.addFile(ACME, store.id(), Document.of("apples and pears").withFilename("fruit"));
        clock.advance(Duration.ofSeconds(1));
        VectorFile drop = stores.addFile(ACME, store.id(), Document.of("apples and cars").withFilename("mixed"));

        assertEquals(List.of(drop.id(), keep.id()), stores.files(ACME, store.id(), PageRequest.newest(10)).items()
                .stream().map(VectorFile::id).toList());
        stores.deleteFile(ACME, store.id(), drop.id());

        assertEquals(List.of(keep.id()), stores.search(ACME, store.id(), "apples", 5, 0).stream()
                .map(SearchHit::fileId).toList());
        assertEquals(1, stores.get(ACME, store.id()).fileCount());
        assertNotFound("file_not_found", () -> stores.file(ACME, store.id(), drop.id()));
        assertNotFound("file_not_found", () -> stores.deleteFile(ACME, store.id(), drop.id()));
        VectorStore other = stores.create(ACME, NewVectorStore.named("other"));
        assertNotFound("file_not_found", () -> stores.file(ACME, other.id(), keep.id()));
    }

    // --- progress and failures

    @Test
    void aBackgroundIngestShowsItsProgressAndBecomesSearchableWhenComplete() throws Exception {
        VectorStore store = stores.create(ACME, NewVectorStore.named("s"));
        embedder.hold();

        VectorFile started = stores.startFile(ACME, store.id(), Document.of(HANDBOOK).withChunking(100, 0));

        assertEquals(VectorFile.Status.IN_PROGRESS, started.status());
        assertEquals(0, started.chunksEmbedded());
        int total = started.chunkCount();
        assertTrue(total > 4, "several batches of two: " + total);
        embedder.awaitBlocked();
        embedder.release(1);
        Await.until(Duration.ofSeconds(10), "the first batch is stored",
                () -> stores.file(ACME, store.id(), started.id()).chunksEmbedded() == 2);
        assertEquals(VectorFile.Status.IN_PROGRESS, stores.file(ACME, store.id(), started.id()).status());
        assertEquals(List.of(), stores.search(ACME, store.id(), "vacation", 5, 0), "not searchable half-way");

        embedder.release(1_000);
        Await.until(Duration.ofSeconds(10), "the file is completed",
                () -> stores.file(ACME, store.id(), started.id()).status() == VectorFile.Status.COMPLETED);

        assertEquals(total, stores.file(ACME, store.id(), started.id()).chunksEmbedded());
        assertTrue(stores.search(ACME, store.id(), "vacation", 1, 0).getFirst().content().contains("vacation"));
    }

    @Test
    void aFailedEmbeddingIsA503AndTheFileIsRecordedFailedWithoutChunks() {
        VectorStore store = stores.create(ACME, NewVectorStore.named("s"));
        embedder.failAfter(1);

        GatewayError failed = assertThrows(GatewayError.class,
                () -> stores.addFile(ACME, store.id(), Document.of(HANDBOOK).withChunking(100, 0)));

        assertEquals(503, failed.status());
        assertEquals(Optional.of("embedding_failed"), failed.code());
        VectorFile file = stores.files(ACME, store.id(), PageRequest.newest(1)).items().getFirst();
        assertEquals(VectorFile.Status.FAILED, file.status());
        assertEquals(0, file.chunksEmbedded());
        assertTrue(file.lastError().orElseThrow().contains("IllegalStateException"), file.lastError().get());
        assertEquals(List.of(), stores.search(ACME, store.id(), "vacation", 5, 0));
    }

    @Test
    void aFileLeftInProgressByADeadProcessIsFailedOnceStale() {
        VectorStore store = stores.create(ACME, NewVectorStore.named("s"));
        database.vectorStores().addFile(VectorFile.started("vf_" + "a".repeat(24), store.id(), "", Map.of(), 10, 3,
                clock.instant()));

        stores.refresh();
        assertEquals(VectorFile.Status.IN_PROGRESS, stores.file(ACME, store.id(), "vf_" + "a".repeat(24)).status());
        clock.advance(Duration.ofMinutes(11));
        stores.refresh();

        VectorFile stale = stores.file(ACME, store.id(), "vf_" + "a".repeat(24));
        assertEquals(VectorFile.Status.FAILED, stale.status());
        assertTrue(stale.lastError().orElseThrow().startsWith("interrupted"));
    }

    @Test
    void closingStopsABackgroundIngestAtItsNextBatchAndRecordsItFailed() throws Exception {
        VectorStore store = stores.create(ACME, NewVectorStore.named("s"));
        embedder.hold();
        VectorFile started = stores.startFile(ACME, store.id(), Document.of(HANDBOOK).withChunking(100, 0));
        embedder.awaitBlocked();

        Thread closing = Thread.ofVirtual().start(stores::close);
        Await.until(Duration.ofSeconds(10), "close is waiting", () -> closing.getState() == Thread.State.WAITING
                || closing.getState() == Thread.State.TIMED_WAITING);
        embedder.release(1_000);
        closing.join(Duration.ofSeconds(20));

        VectorFile stopped = database.vectorStores().findFile(store.id(), started.id()).orElseThrow();
        assertEquals(VectorFile.Status.FAILED, stopped.status());
        assertTrue(stopped.lastError().orElseThrow().startsWith("interrupted"));
    }

    @Test
    void aStoreOfAnotherEmbeddingModelIsA409() {
        VectorStore store = stores.create(ACME, NewVectorStore.named("s"));
        stores.addFile(ACME, store.id(), Document.of("apples"));

        try (VectorStores otherModel = stores(new WordEmbedder("another-model"))) {
            GatewayError mismatch = assertThrows(GatewayError.class,
                    () -> otherModel.search(ACME, store.id(), "apples", 5, 0));
            assertEquals(409, mismatch.status());
            assertEquals(Optional.of("embedding_model_mismatch"), mismatch.code());
            assertEquals(409, assertThrows(GatewayError.class,
                    () -> otherModel.addFile(ACME, store.id(), Document.of("pears"))).status());
            otherModel.refresh();
            assertEquals(0, otherModel.indexedChunks(store.id()), "vectors of another model are not loaded");
        }
    }

    // --- the index and the database

    @Test
    void aNewInstanceOnTheSameDatabaseRebuildsTheIndexAndSearchesAsBefore() {
        VectorStore store = stores.create(ACME, NewVectorStore.named("handbook"));
        stores.addFile(ACME, store.id(), Document.of(HANDBOOK).withChunking(300, 0));
        List<SearchHit> before = stores.search(ACME, store.id(), "lost badge", 3, 0);
        stores.close();

        try (VectorStores restarted = stores(embedder)) {
            assertEquals(0, restarted.indexedChunks(store.id()));
            restarted.refresh();
            assertEquals(3, restarted.indexedChunks(store.id()), "the refresh at start loads every store");
            assertEquals(before, restarted.search(ACME, store.id(), "lost badge", 3, 0));
        }
        try (VectorStores lazy = stores(embedder)) {
            assertEquals(before, lazy.search(ACME, store.id(), "lost badge", 3, 0), "a search loads its store");
        }
    }

    @Test
    void twoInstancesOnOneDatabaseSeeEachOthersChanges() {
        VectorStore store = stores.create(ACME, NewVectorStore.named("shared"));
        stores.addFile(ACME, store.id(), Document.of("apples grow on trees"));
        try (VectorStores other = stores(embedder)) {
            assertEquals(1, other.search(ACME, store.id(), "apples", 5, 0).size());

            VectorFile added = stores.addFile(ACME, store.id(), Document.of("apples make cider"));
            assertEquals(2, other.search(ACME, store.id(), "apples", 5, 0).size(), "a file added elsewhere");

            stores.deleteFile(ACME, store.id(), added.id());
            assertEquals(1, other.search(ACME, store.id(), "apples", 5, 0).size(), "a file deleted elsewhere");

            stores.delete(ACME, store.id());
            assertNotFound("vector_store_not_found", () -> other.search(ACME, store.id(), "apples", 5, 0));
            other.refresh();
            assertEquals(0, other.indexedChunks(store.id()), "a store deleted elsewhere leaves the index");
        }
    }

    @Test
    void concurrentIngestsIntoOneStoreAreAllSearchableAndTheIndexEndsInStep() throws Exception {
        VectorStore store = stores.create(ACME, NewVectorStore.named("busy"));

        Concurrently.run(20, i -> stores.addFile(ACME, store.id(), Document.of("topic" + i + " shared words")));

        VectorStore after = stores.get(ACME, store.id());
        assertEquals(20, after.fileCount());
        assertEquals(20, stores.search(ACME, store.id(), "shared words", 100, 0).size());
        assertEquals(OptionalLong.of(after.version()), stores.indexedVersion(store.id()));
        assertEquals(20, stores.indexedChunks(store.id()));
    }

    private static void assertNotFound(String code, Executable call) {
        NotFound missing = assertThrows(NotFound.class, call);
        assertEquals(Optional.of(code), missing.code());
    }

    private static void assertInvalid(String param, Executable call) {
        SmartflowException refused = assertThrows(InvalidRequest.class, call);
        assertEquals(Optional.of(param), refused.param(), refused.getMessage());
    }
}
