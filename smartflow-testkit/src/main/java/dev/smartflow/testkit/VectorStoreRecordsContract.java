package dev.smartflow.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.VectorChunk;
import dev.smartflow.core.spi.VectorFile;
import dev.smartflow.core.spi.VectorStore;
import dev.smartflow.core.spi.VectorStoreRecords.ChunkId;
import dev.smartflow.core.spi.VectorStoreRecords.ChunkText;
import dev.smartflow.core.spi.VectorStoreRecords.ChunkVector;
import dev.smartflow.core.spi.VectorStoreRecords.Page;
import dev.smartflow.core.spi.VectorStoreRecords.PageRequest;
import dev.smartflow.core.spi.VectorStoreRecords.StoreVersion;
import dev.smartflow.core.spi.VectorStoreRecords;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Database}'s {@link VectorStoreRecords} must show. An implementation's test extends it and
 * says how to make a database that holds no vector stores of earlier tests.
 *
 * <pre>{@code
 * class InMemoryVectorStoreRecordsTest extends VectorStoreRecordsContract {
 *     protected Database create() { return new InMemoryDatabase(); }
 * }
 * }</pre>
 */
public abstract class VectorStoreRecordsContract {
    /** A time with sub-microsecond digits, so that truncation is exercised. */
    protected static final Instant T0 = Instant.parse("2026-11-01T10:00:00.123456789Z");
    private static final String MODEL = "all-minilm-l6-v2-q";
    private static final int THREADS = 200;

    protected Database database;
    protected VectorStoreRecords records;

    /** A new, open database that holds no vector stores. */
    protected abstract Database create();

    @BeforeEach
    void createDatabase() {
        database = create();
        records = database.vectorStores();
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    // --- stores

    @Test
    void theRecordsAreTheSameObjectOnEveryCall() {
        assertSame(database.vectorStores(), database.vectorStores());
    }

    @Test
    void aStoreIsFoundByItsTenantWithEveryField() {
        VectorStore store = new VectorStore("vs_1", "org:acme", "Product docs ✓ 𝄞", "Internal \"docs\"",
                Map.of("team", "engineering", "ünïcode", "𝄞"), MODEL, 0, 0, T0);

        records.createStore(store);

        VectorStore found = records.findStore("org:acme", "vs_1").orElseThrow();
        assertEquals(store, found);
        assertEquals(T0.minusNanos(789), found.createdAt(), "kept to the microsecond");
    }

    @Test
    void anotherTenantNeitherFindsListsNorDeletesAStore() {
        records.createStore(store("vs_1", "org:acme", T0));

        assertEquals(Optional.empty(), records.findStore("org:other", "vs_1"));
        assertEquals(List.of(), records.listStores("org:other", PageRequest.newest(10)).items());
        assertFalse(records.deleteStore("org:other", "vs_1"));
        assertTrue(records.findStore("org:acme", "vs_1").isPresent());
    }

    @Test
    void unknownStoresAreNotFound() {
        assertEquals(Optional.empty(), records.findStore("org:acme", "vs_missing"));
        assertFalse(records.deleteStore("org:acme", "vs_missing"));
        assertEquals(OptionalLong.empty(), records.loadVectors("vs_missing", vector -> { }));
    }

    @Test
    void creatingADuplicateIdFailsAndChangesNothing() {
        VectorStore first = store("vs_1", "org:acme", T0);
        records.createStore(first);

        assertThrows(IllegalStateException.class, () -> records.createStore(store("vs_1", "org:other", T0)));

        assertEquals(Optional.of(first), records.findStore("org:acme", "vs_1"));
        assertEquals(Optional.empty(), records.findStore("org:other", "vs_1"));
    }

    @Test
    void storesArePagedNewestFirstOrOldestFirstWithTiesById() {
        records.createStore(store("vs_b", "t", T0));
        records.createStore(store("vs_a", "t", T0));
        records.createStore(store("vs_c", "t", T0.plusSeconds(1)));
        records.createStore(store("vs_d", "t", T0.minusSeconds(1)));
        records.createStore(store("vs_other", "u", T0));

        Page<VectorStore> first = records.listStores("t", PageRequest.newest(2));
        assertEquals(List.of("vs_c", "vs_b"), ids(first.items()));
        assertTrue(first.hasMore());
        Page<VectorStore> rest = records.listStores("t", new PageRequest(10, Optional.of("vs_b"), true));
        assertEquals(List.of("vs_a", "vs_d"), ids(rest.items()));
        assertFalse(rest.hasMore());

        Page<VectorStore> oldest = records.listStores("t", new PageRequest(3, Optional.empty(), false));
        assertEquals(List.of("vs_d", "vs_a", "vs_b"), ids(oldest.items()));
        assertTrue(oldest.hasMore());
        assertEquals(List.of("vs_c"), ids(records.listStores("t", new PageRequest(3, Optional.of("vs_b"), false))
                .items()));
    }

    @Test
    void aCursorNamingNoStoreOfTheTenantGivesAnEmptyPage() {
        records.createStore(store("vs_1", "t", T0));
        records.createStore(store("vs_2", "u", T0));

        assertEquals(new Page<>(List.of(), false),
                records.listStores("t", new PageRequest(10, Optional.of("vs_2"), true)));
        assertEquals(new Page<>(List.of(), false),
                records.listStores("t", new PageRequest(10, Optional.of("vs_missing"), true)));
    }

    @Test
    void deletingAStoreDeletesItsFilesAndChunks() {
        records.createStore(store("vs_1", "t", T0));
        records.createStore(store("vs_2", "t", T0));
        completedFile("vs_1", "vf_1", 2);
        completedFile("vs_2", "vf_2", 1);

        assertTrue(records.deleteStore("t", "vs_1"));

        assertEquals(Optional.empty(), records.findStore("t", "vs_1"));
        assertEquals(Optional.empty(), records.findFile("vs_1", "vf_1"));
        assertEquals(List.of(), records.chunkTexts("vs_1", List.of(new ChunkId("vf_1", 0))));
        assertFalse(records.appendChunks("vf_1", List.of(chunk("vf_1", 0)), T0));
        assertEquals(List.of("vs_2"), records.versions().stream().map(StoreVersion::id).toList());
        assertEquals(1, vectors("vs_2").size(), "the other store keeps its chunks");
        assertFalse(records.deleteStore("t", "vs_1"));
    }

    @Test
    void versionsListEveryTenantsStoresById() {
        records.createStore(store("vs_b", "t", T0));
        records.createStore(new VectorStore("vs_a", "u", "a", "", Map.of(), "other-model", 0, 0, T0));
        completedFile("vs_b", "vf_1", 1);

        assertEquals(List.of(new StoreVersion("vs_a", 0, "other-model"), new StoreVersion("vs_b", 1, MODEL)),
                records.versions());
    }

    // --- files

    @Test
    void aFileIsAddedInProgressAndCountedInItsStore() {
        records.createStore(store("vs_1", "t", T0));
        VectorFile file = new VectorFile("vf_1", "vs_1", "guide.md", Map.of("version", "3.0"), 2_048, 5, 0,
                VectorFile.Status.IN_PROGRESS, Optional.empty(), T0, T0.plusSeconds(1));

        assertTrue(records.addFile(file));

        assertEquals(Optional.of(file), records.findFile("vs_1", "vf_1"));
        assertEquals(1, records.findStore("t", "vs_1").orElseThrow().fileCount());
        assertEquals(0, records.findStore("t", "vs_1").orElseThrow().version(), "nothing searchable changed");
    }

    @Test
    void aFileOfAMissingStoreIsNotAddedAndAFileIsFoundOnlyInItsStore() {
        records.createStore(store("vs_1", "t", T0));
        records.createStore(store("vs_2", "t", T0));

        assertFalse(records.addFile(started("vs_missing", "vf_0", 1)));
        assertTrue(records.addFile(started("vs_1", "vf_1", 1)));

        assertEquals(Optional.empty(), records.findFile("vs_missing", "vf_0"));
        assertEquals(Optional.empty(), records.findFile("vs_2", "vf_1"));
        assertEquals(OptionalLong.empty(), records.deleteFile("vs_2", "vf_1"));
        assertTrue(records.findFile("vs_1", "vf_1").isPresent());
    }

    @Test
    void addingADuplicateFileIdFailsAndChangesNothing() {
        records.createStore(store("vs_1", "t", T0));
        records.createStore(store("vs_2", "t", T0));
        records.addFile(started("vs_1", "vf_1", 1));

        assertThrows(IllegalStateException.class, () -> records.addFile(started("vs_2", "vf_1", 3)));

        assertEquals(0, records.findStore("t", "vs_2").orElseThrow().fileCount());
        assertEquals(1, records.findFile("vs_1", "vf_1").orElseThrow().chunkCount());
    }

    @Test
    void filesArePagedLikeStores() {
        records.createStore(store("vs_1", "t", T0));
        records.createStore(store("vs_2", "t", T0));
        for (int i = 0; i < 5; i++) {
            records.addFile(VectorFile.started("vf_" + i, "vs_1", "f" + i, Map.of(), 1, 1, T0.plusSeconds(i)));
        }
        records.addFile(started("vs_2", "vf_x", 1));

        Page<VectorFile> first = records.listFiles("vs_1", PageRequest.newest(2));
        assertEquals(List.of("vf_4", "vf_3"), fileIds(first.items()));
        assertTrue(first.hasMore());
        assertEquals(List.of("vf_2", "vf_1", "vf_0"), fileIds(records.listFiles("vs_1",
                new PageRequest(5, Optional.of("vf_3"), true)).items()));
        assertEquals(List.of("vf_0", "vf_1"), fileIds(records.listFiles("vs_1",
                new PageRequest(2, Optional.empty(), false)).items()));
        assertEquals(List.of(), records.listFiles("vs_1", new PageRequest(5, Optional.of("vf_x"), true)).items());
    }

    @Test
    void chunksAppendedInBatchesCountAsProgressAndCompletingMakesThemSearchable() {
        records.createStore(store("vs_1", "t", T0));
        records.addFile(started("vs_1", "vf_1", 3));

        assertTrue(records.appendChunks("vf_1", List.of(chunk("vf_1", 0), chunk("vf_1", 1)), T0.plusSeconds(1)));

        VectorFile halfway = records.findFile("vs_1", "vf_1").orElseThrow();
        assertEquals(2, halfway.chunksEmbedded());
        assertEquals(VectorFile.Status.IN_PROGRESS, halfway.status());
        assertEquals(T0.plusSeconds(1).minusNanos(789), halfway.updatedAt());
        assertEquals(List.of(), vectors("vs_1"), "an unfinished file is not searchable");
        assertEquals(List.of(), records.chunkTexts("vs_1", List.of(new ChunkId("vf_1", 0))));

        assertTrue(records.appendChunks("vf_1", List.of(chunk("vf_1", 2)), T0.plusSeconds(2)));
        OptionalLong version = records.completeFile("vf_1", T0.plusSeconds(3));

        assertEquals(OptionalLong.of(1), version);
        VectorFile done = records.findFile("vs_1", "vf_1").orElseThrow();
        assertEquals(VectorFile.Status.COMPLETED, done.status());
        assertEquals(3, done.chunksEmbedded());
        assertEquals(1, records.findStore("t", "vs_1").orElseThrow().version());
        assertEquals(3, vectors("vs_1").size());
        assertEquals(OptionalLong.empty(), records.completeFile("vf_1", T0), "completed once");
        assertFalse(records.appendChunks("vf_1", List.of(), T0), "no more chunks once completed");
    }

    @Test
    void vectorsAndTextsComeBackExactly() {
        records.createStore(store("vs_1", "t", T0));
        records.addFile(VectorFile.started("vf_1", "vs_1", "notes ✓.md", Map.of(), 10, 2, T0));
        float[] odd = {-0.0f, Float.MIN_VALUE, -1.0f, 0.333333343f, Float.MAX_VALUE};
        VectorChunk first = new VectorChunk("vf_1", 0, "Line one\nline \"two\" 𝄞 ü\t", odd);
        VectorChunk second = new VectorChunk("vf_1", 1, "x".repeat(8_192), new float[384]);
        records.appendChunks("vf_1", List.of(first, second), T0);
        records.completeFile("vf_1", T0);

        List<ChunkVector> loaded = vectors("vs_1");
        loaded.sort(Comparator.comparing(vector -> vector.id().index()));
        assertEquals(new ChunkId("vf_1", 0), loaded.get(0).id());
        assertArrayEquals(odd, loaded.get(0).vector());
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(loaded.get(0).vector()[0]));
        assertArrayEquals(new float[384], loaded.get(1).vector());

        List<ChunkText> texts = new ArrayList<>(records.chunkTexts("vs_1",
                List.of(new ChunkId("vf_1", 1), new ChunkId("vf_1", 0), new ChunkId("vf_1", 7),
                        new ChunkId("vf_9", 0))));
        texts.sort(Comparator.comparing(text -> text.id().index()));
        assertEquals(List.of(new ChunkText(new ChunkId("vf_1", 0), "notes ✓.md", first.text()),
                new ChunkText(new ChunkId("vf_1", 1), "notes ✓.md", second.text())), texts);
        assertEquals(List.of(), records.chunkTexts("vs_other", List.of(new ChunkId("vf_1", 0))),
                "only chunks of the store named");
        assertEquals(List.of(), records.chunkTexts("vs_1", List.of()));
    }

    @Test
    void badChunksAreRefusedAndNothingOfTheBatchIsStored() {
        records.createStore(store("vs_1", "t", T0));
        records.addFile(started("vs_1", "vf_1", 2));
        records.addFile(started("vs_1", "vf_2", 2));
        records.appendChunks("vf_1", List.of(chunk("vf_1", 0)), T0);

        assertThrows(IllegalArgumentException.class,
                () -> records.appendChunks("vf_1", List.of(chunk("vf_1", 1), chunk("vf_2", 0)), T0));
        assertThrows(IllegalArgumentException.class,
                () -> records.appendChunks("vf_1", List.of(chunk("vf_1", 1), chunk("vf_1", 2)), T0));
        assertThrows(IllegalArgumentException.class,
                () -> records.appendChunks("vf_1", List.of(chunk("vf_1", 1), chunk("vf_1", 0)), T0));
        assertThrows(IllegalArgumentException.class,
                () -> records.appendChunks("vf_1", List.of(chunk("vf_1", 1), chunk("vf_1", 1)), T0));

        assertEquals(1, records.findFile("vs_1", "vf_1").orElseThrow().chunksEmbedded());
        assertThrows(IllegalStateException.class, () -> records.completeFile("vf_1", T0), "a chunk is missing");
        assertTrue(records.appendChunks("vf_1", List.of(chunk("vf_1", 1)), T0));
        assertTrue(records.completeFile("vf_1", T0).isPresent());
    }

    @Test
    void textADatabaseCannotKeepIsRefusedBeforeItIsStored() {
        assertThrows(IllegalArgumentException.class, () -> new VectorChunk("vf_1", 0, "a\u0000b", new float[1]));
        assertThrows(IllegalArgumentException.class, () -> new VectorChunk("vf_1", 0, "a\ud800b", new float[1]));
        assertThrows(IllegalArgumentException.class, () -> store("vs_1", "t\u0000", T0));
        assertThrows(IllegalArgumentException.class,
                () -> new VectorStore("vs_1", "t", "n", "", Map.of("k", "\udc00"), MODEL, 0, 0, T0));
        records.createStore(store("vs_1", "t", T0));
        records.addFile(started("vs_1", "vf_1", 1));

        assertThrows(IllegalArgumentException.class, () -> records.failFile("vf_1", "bad\u0000error", T0));

        assertEquals(VectorFile.Status.IN_PROGRESS, records.findFile("vs_1", "vf_1").orElseThrow().status());
    }

    @Test
    void aFailedFileKeepsItsErrorAndNoChunks() {
        records.createStore(store("vs_1", "t", T0));
        records.addFile(started("vs_1", "vf_1", 3));
        records.appendChunks("vf_1", List.of(chunk("vf_1", 0)), T0);

        assertTrue(records.failFile("vf_1", "the embedder failed: model not loaded", T0.plusSeconds(5)));

        VectorFile failed = records.findFile("vs_1", "vf_1").orElseThrow();
        assertEquals(VectorFile.Status.FAILED, failed.status());
        assertEquals(Optional.of("the embedder failed: model not loaded"), failed.lastError());
        assertEquals(0, failed.chunksEmbedded());
        assertEquals(T0.plusSeconds(5).minusNanos(789), failed.updatedAt());
        assertFalse(records.failFile("vf_1", "again", T0));
        assertFalse(records.appendChunks("vf_1", List.of(chunk("vf_1", 1)), T0));
        assertEquals(OptionalLong.empty(), records.completeFile("vf_1", T0));
        assertEquals(0, records.findStore("t", "vs_1").orElseThrow().version());
        assertEquals(1, records.findStore("t", "vs_1").orElseThrow().fileCount(), "a failed file stays listed");
        assertFalse(records.failFile("vf_missing", "x", T0));
    }

    @Test
    void onlyFilesInProgressThatStoppedMovingBeforeTheCutOffAreFailedAsStale() {
        records.createStore(store("vs_1", "t", T0));
        records.addFile(VectorFile.started("vf_old", "vs_1", "", Map.of(), 1, 2, T0));
        records.addFile(VectorFile.started("vf_moving", "vs_1", "", Map.of(), 1, 2, T0));
        records.addFile(VectorFile.started("vf_done", "vs_1", "", Map.of(), 1, 1, T0));
        records.appendChunks("vf_old", List.of(chunk("vf_old", 0)), T0);
        records.appendChunks("vf_moving", List.of(chunk("vf_moving", 0)), T0.plusSeconds(600));
        records.appendChunks("vf_done", List.of(chunk("vf_done", 0)), T0);
        records.completeFile("vf_done", T0);

        int failed = records.failStaleFiles(T0.plusSeconds(300), "interrupted", T0.plusSeconds(900));

        assertEquals(1, failed);
        assertEquals(VectorFile.Status.FAILED, records.findFile("vs_1", "vf_old").orElseThrow().status());
        assertEquals(Optional.of("interrupted"), records.findFile("vs_1", "vf_old").orElseThrow().lastError());
        assertEquals(VectorFile.Status.IN_PROGRESS, records.findFile("vs_1", "vf_moving").orElseThrow().status());
        assertEquals(VectorFile.Status.COMPLETED, records.findFile("vs_1", "vf_done").orElseThrow().status());
        assertEquals(0, records.failStaleFiles(T0.plusSeconds(300), "interrupted", T0.plusSeconds(900)));
    }

    @Test
    void deletingACompletedFileDropsItsChunksAndCountsAChange() {
        records.createStore(store("vs_1", "t", T0));
        completedFile("vs_1", "vf_1", 2);
        completedFile("vs_1", "vf_2", 1);
        records.addFile(started("vs_1", "vf_3", 1));

        assertEquals(OptionalLong.of(3), records.deleteFile("vs_1", "vf_1"));
        assertEquals(OptionalLong.of(3), records.deleteFile("vs_1", "vf_3"), "an unfinished file changes no search");

        VectorStore store = records.findStore("t", "vs_1").orElseThrow();
        assertEquals(1, store.fileCount());
        assertEquals(3, store.version());
        assertEquals(List.of(new ChunkId("vf_2", 0)), vectors("vs_1").stream().map(ChunkVector::id).toList());
        assertEquals(Optional.empty(), records.findFile("vs_1", "vf_1"));
        assertEquals(OptionalLong.empty(), records.deleteFile("vs_1", "vf_1"));
        assertFalse(records.appendChunks("vf_3", List.of(chunk("vf_3", 0)), T0), "an ingest finds its file gone");
    }

    // --- concurrency

    @Test
    void concurrentFilesAreEachCountedAndEachCompletionIsOneVersion() throws Exception {
        records.createStore(store("vs_1", "t", T0));

        List<Long> versions = Concurrently.run(THREADS, i -> {
            String id = "vf_" + i;
            assertTrue(records.addFile(VectorFile.started(id, "vs_1", "", Map.of(), 1, 1, T0)));
            assertTrue(records.appendChunks(id, List.of(chunk(id, 0)), T0));
            return records.completeFile(id, T0).orElseThrow();
        });

        VectorStore store = records.findStore("t", "vs_1").orElseThrow();
        assertEquals(THREADS, store.fileCount());
        assertEquals(THREADS, store.version());
        assertEquals(LongStream.rangeClosed(1, THREADS).boxed().toList(), versions.stream().sorted().toList(),
                "every completion saw its own version");
        assertEquals(THREADS, vectors("vs_1").size());
    }

    @Test
    void filesRacingTheirStoresDeletionLeaveNothingBehind() throws Exception {
        records.createStore(store("vs_1", "t", T0));

        Concurrently.run(THREADS, i -> {
            if (i == THREADS / 2) {
                return records.deleteStore("t", "vs_1");
            }
            String id = "vf_" + i;
            if (records.addFile(VectorFile.started(id, "vs_1", "", Map.of(), 1, 1, T0))
                    && records.appendChunks(id, List.of(chunk(id, 0)), T0)) {
                records.completeFile(id, T0);
            }
            return true;
        });

        assertEquals(Optional.empty(), records.findStore("t", "vs_1"));
        for (int i = 0; i < THREADS; i++) {
            assertEquals(Optional.empty(), records.findFile("vs_1", "vf_" + i));
        }
        assertEquals(OptionalLong.empty(), records.loadVectors("vs_1", vector -> { }));
    }

    @Test
    void everyCallFailsAfterClose() {
        database.close();

        assertThrows(IllegalStateException.class, () -> database.vectorStores());
        assertThrows(IllegalStateException.class, () -> records.findStore("t", "vs_1"));
        assertThrows(IllegalStateException.class, () -> records.createStore(store("vs_1", "t", T0)));
        assertThrows(IllegalStateException.class, () -> records.versions());
        assertThrows(IllegalStateException.class, () -> records.chunkTexts("vs_1", List.of()));
        assertThrows(IllegalStateException.class, () -> records.failStaleFiles(T0, "x", T0));
    }

    // --- helpers

    protected static VectorStore store(String id, String tenant, Instant createdAt) {
        return VectorStore.create(id, tenant, "store " + id, "", Map.of(), MODEL, createdAt);
    }

    protected static VectorFile started(String storeId, String fileId, int chunks) {
        return VectorFile.started(fileId, storeId, fileId + ".txt", Map.of(), 100, chunks, T0);
    }

    /** A chunk whose vector says which it is. */
    protected static VectorChunk chunk(String fileId, int index) {
        return new VectorChunk(fileId, index, fileId + " chunk " + index, new float[] {index, 1, -index});
    }

    private void completedFile(String storeId, String fileId, int chunks) {
        assertTrue(records.addFile(started(storeId, fileId, chunks)));
        assertTrue(records.appendChunks(fileId, IntStream.range(0, chunks).mapToObj(i -> chunk(fileId, i)).toList(),
                T0));
        assertTrue(records.completeFile(fileId, T0).isPresent());
    }

    private List<ChunkVector> vectors(String storeId) {
        List<ChunkVector> loaded = new ArrayList<>();
        records.loadVectors(storeId, loaded::add);
        return loaded;
    }

    private static List<String> ids(List<VectorStore> stores) {
        return stores.stream().map(VectorStore::id).toList();
    }

    private static List<String> fileIds(List<VectorFile> files) {
        return files.stream().map(VectorFile::id).toList();
    }
}
