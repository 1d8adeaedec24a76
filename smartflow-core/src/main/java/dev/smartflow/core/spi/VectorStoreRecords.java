package dev.smartflow.core.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The durable records of the vector stores: each {@link VectorStore}, its {@link VectorFile}s and their
 * {@link VectorChunk}s (text and vector). Searches run on an in-memory index that is built from these records and kept
 * in step with them through each store's {@link VectorStore#version()}; obtained from {@link Database#vectorStores()}.
 *
 * <pre>{@code
 * VectorStoreRecords records = database.vectorStores();
 * records.createStore(VectorStore.create("vs_1", "org:acme", "docs", "", Map.of(), "all-minilm-l6-v2-q", now));
 * records.addFile(VectorFile.started("vf_1", "vs_1", "guide.md", Map.of(), 2_048, 5, now));
 * records.appendChunks("vf_1", chunks, now);                       // batch by batch, as they are embedded
 * long version = records.completeFile("vf_1", now).orElseThrow();  // now searchable
 * }</pre>
 *
 * <p><b>Contract.</b> Thread-safe; every method is atomic and durable once it returns (for the in-memory store, for
 * the life of the process). Calls block until the store answers; run them on virtual threads. Nothing accepts or
 * returns {@code null}. A store belongs to its tenant: the methods that take a tenant never see another tenant's
 * stores, and the caller checks a store's tenant before it uses the methods that take only a store id. Deleting a store
 * deletes its files and chunks; deleting or failing a file deletes its chunks. Pages come newest first or oldest first
 * by creation time, ties by id as Java orders strings. Text (names, metadata, chunk text) is kept exactly; the records
 * refuse what a database could not keep (NUL, unpaired surrogates). A failure of the backing store surfaces as the
 * implementation's unchecked exception; after {@link Database#close()} every call fails with
 * {@link IllegalStateException}.
 */
public interface VectorStoreRecords {
    /**
     * Stores a new store.
     *
     * @throws IllegalStateException when a store with the same id exists
     */
    void createStore(VectorStore store);

    /** The store {@code id} when it belongs to {@code tenant}; empty otherwise. */
    Optional<VectorStore> findStore(String tenant, String id);

    /** A page of {@code tenant}'s stores. */
    Page<VectorStore> listStores(String tenant, PageRequest request);

    /** Deletes the store {@code id} of {@code tenant} with its files and chunks; true when there was one. */
    boolean deleteStore(String tenant, String id);

    /** Every store's id, version and embedding model, whatever its tenant: for the index to catch up with. */
    List<StoreVersion> versions();

    /**
     * Adds a file (usually {@link VectorFile#started started}) to its store, counting it in the store's file count.
     *
     * @return false, storing nothing, when the store does not exist
     * @throws IllegalStateException when a file with the same id exists
     */
    boolean addFile(VectorFile file);

    /** The file {@code fileId} when it belongs to the store {@code storeId}; empty otherwise. */
    Optional<VectorFile> findFile(String storeId, String fileId);

    /** A page of the store's files. */
    Page<VectorFile> listFiles(String storeId, PageRequest request);

    /**
     * Stores a batch of an in-progress file's chunks and counts them as embedded.
     *
     * @return false, storing nothing, when the file is gone or no longer in progress
     * @throws IllegalArgumentException when a chunk belongs to another file, its index is not below the file's chunk
     *                                  count, or a chunk of that index is stored already; nothing is stored
     */
    boolean appendChunks(String fileId, List<VectorChunk> chunks, Instant now);

    /**
     * Marks an in-progress file whose every chunk is stored completed, making it searchable, and counts one change of
     * its store.
     *
     * @return the store's new version; empty when the file is gone or not in progress
     * @throws IllegalStateException when not every chunk of the file is stored
     */
    OptionalLong completeFile(String fileId, Instant now);

    /**
     * Marks an in-progress file failed for {@code error}, dropping its chunks; false when it is gone or not in
     * progress.
     */
    boolean failFile(String fileId, String error, Instant now);

    /**
     * Fails every in-progress file whose ingest has not moved on since before {@code updatedBefore} (its process
     * died mid-ingest), dropping their chunks; how many.
     */
    int failStaleFiles(Instant updatedBefore, String error, Instant now);

    /**
     * Deletes a file of a store with its chunks, counting it out of the store's file count.
     *
     * @return the store's version afterwards (one more when the file was completed); empty when the store holds no
     *         such file
     */
    OptionalLong deleteFile(String storeId, String fileId);

    /**
     * Hands the vector of every chunk of the store's completed files to {@code sink}, in no particular order, without
     * holding them all in memory (the text stays in the database). The sink must not call back into these records.
     *
     * @return the store's version, read before the vectors, so the vectors are at least that recent; empty when the
     *         store does not exist
     */
    OptionalLong loadVectors(String storeId, Consumer<ChunkVector> sink);

    /** The text and file name of each chunk named, of the store's completed files; chunks not found are left out. */
    List<ChunkText> chunkTexts(String storeId, List<ChunkId> chunks);

    /**
     * Returns {@code text} when the records can keep it: no NUL (PostgreSQL's text cannot hold it) and no unpaired
     * surrogate, which databases keep differently. Whoever takes text from callers replaces or refuses those first.
     *
     * @throws IllegalArgumentException naming {@code name} otherwise
     */
    static String requireStorable(String text, String name) {
        return StorableText.require(text, name);
    }

    /**
     * Which page of a list: at most {@code limit} entries, after the entry {@code after} (an id) in the order asked
     * for; an {@code after} that names no entry of the list gives an empty page.
     */
    record PageRequest(int limit, Optional<String> after, boolean newestFirst) {
        public static final int MAX_LIMIT = 10_000;

        public PageRequest {
            Objects.requireNonNull(after, "after");
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("limit is 1 to " + MAX_LIMIT + ": " + limit);
            }
        }

        /** The first {@code limit} entries, newest first. */
        public static PageRequest newest(int limit) {
            return new PageRequest(limit, Optional.empty(), true);
        }
    }

    /** Some entries of a list, and whether more follow. */
    record Page<T>(List<T> items, boolean hasMore) {
        public Page {
            items = List.copyOf(items);
        }
    }

    /** Where a store's index must be: its version and the model its vectors come from. */
    record StoreVersion(String id, long version, String embeddingModel) {
        public StoreVersion {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(embeddingModel, "embeddingModel");
        }
    }

    /** Names one chunk of a file. */
    record ChunkId(String fileId, int index) {
        public ChunkId {
            Objects.requireNonNull(fileId, "fileId");
        }
    }

    /** A chunk's vector, as the index holds it. */
    record ChunkVector(ChunkId id, float[] vector) {
        public ChunkVector {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(vector, "vector");
        }
    }

    /** A chunk's text with its file's name, as a search answers it. */
    record ChunkText(ChunkId id, String filename, String text) {
        public ChunkText {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(filename, "filename");
            Objects.requireNonNull(text, "text");
        }
    }
}
