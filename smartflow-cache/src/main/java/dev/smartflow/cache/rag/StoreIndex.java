package dev.smartflow.cache.rag;

import dev.smartflow.core.spi.VectorFile;
import dev.smartflow.core.spi.VectorIndex;
import dev.smartflow.core.spi.VectorStoreRecords.ChunkId;
import dev.smartflow.core.spi.VectorStoreRecords.ChunkVector;
import dev.smartflow.core.spi.VectorStoreRecords.StoreVersion;
import dev.smartflow.core.spi.VectorStoreRecords;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps the vectors of the stores' completed files in a {@link VectorIndex}, in step with the records.
 *
 * <p>Design. The records are the truth; the index is a copy that may lag behind them: after a restart, or when another
 * instance sharing the database changed a store. Each store's record carries a version that counts the changes a
 * search can see (a file completed, a completed file deleted). The index remembers, per store, the version it loaded
 * and the namespace it loaded it into ({@code vs:<id>:<generation>}). A search passes the version it just read from
 * the records: when the index is behind, the store is loaded again from the records into a fresh namespace, which
 * then replaces the old one (cleared afterwards), so a search never sees a half-loaded store. Changes made by this
 * instance are applied in place when the index is exactly one version behind (so nothing else changed meanwhile);
 * otherwise they are left to the next load. Stores load on first use, or ahead of it through {@link #catchUp}.
 *
 * <p>One lock per store orders loads and changes of that store; searches take no lock: a search that ran on a
 * namespace replaced while it ran is run again on the new one.
 */
final class StoreIndex {
    private static final String NAMESPACE_PREFIX = "vs:";

    private final VectorStoreRecords records;
    private final VectorIndex index;
    private final Map<String, Loaded> loaded = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final AtomicLong generations = new AtomicLong();

    StoreIndex(VectorStoreRecords records, VectorIndex index) {
        this.records = records;
        this.index = index;
    }

    /** The best {@code k} chunks of the store at {@code version} or later scoring at least {@code minScore}. */
    List<VectorIndex.Match> search(String storeId, long version, float[] query, int k, double minScore) {
        while (true) {
            Optional<Loaded> at = loadedAt(storeId, version);
            if (at.isEmpty()) {
                return List.of();
            }
            List<VectorIndex.Match> matches = index.search(at.get().namespace(), query, k, minScore);
            if (loaded.get(storeId) == at.get()) {
                return matches;
            }
        }
    }

    /** Applies a file this instance completed, the store now at {@code version}, when nothing else changed first. */
    void completed(String storeId, long version, List<ChunkVector> vectors) {
        withLock(storeId, () -> {
            Loaded current = loaded.get(storeId);
            if (current != null && current.version() == version - 1) {
                vectors.forEach(vector -> index.put(current.namespace(), key(vector.id()), vector.vector(), Map.of()));
                loaded.put(storeId, new Loaded(version, current.namespace()));
            }
        });
    }

    /** Applies a file this instance deleted, the store now at {@code version}, when nothing else changed first. */
    void deleted(String storeId, long version, VectorFile file) {
        if (file.status() != VectorFile.Status.COMPLETED) {
            return; // never searchable, so the index never held it
        }
        withLock(storeId, () -> {
            Loaded current = loaded.get(storeId);
            if (current != null && current.version() == version - 1) {
                for (int i = 0; i < file.chunkCount(); i++) {
                    index.remove(current.namespace(), key(new ChunkId(file.id(), i)));
                }
                loaded.put(storeId, new Loaded(version, current.namespace()));
            }
        });
    }

    /** Forgets a deleted store. */
    void drop(String storeId) {
        withLock(storeId, () -> {
            Loaded old = loaded.remove(storeId);
            if (old != null) {
                index.clear(old.namespace());
            }
        });
        locks.remove(storeId);
    }

    /**
     * Loads every store of {@code model} whose records are ahead of the index, and forgets the stores that are gone;
     * stores of another model are not loaded (their vectors are not comparable with this embedder's).
     */
    void catchUp(List<StoreVersion> versions, String model) {
        Set<String> present = new HashSet<>();
        for (StoreVersion version : versions) {
            present.add(version.id());
            if (version.embeddingModel().equals(model)) {
                loadedAt(version.id(), version.version());
            }
        }
        for (String storeId : List.copyOf(loaded.keySet())) {
            if (!present.contains(storeId)) {
                drop(storeId);
            }
        }
    }

    /** How many chunks the index holds for the store; 0 when it is not loaded. */
    int size(String storeId) {
        Loaded current = loaded.get(storeId);
        return current == null ? 0 : index.size(current.namespace());
    }

    /** The version of the store the index holds, if it holds the store. */
    OptionalLong version(String storeId) {
        Loaded current = loaded.get(storeId);
        return current == null ? OptionalLong.empty() : OptionalLong.of(current.version());
    }

    static String key(ChunkId id) {
        return id.fileId() + "#" + id.index();
    }

    static ChunkId chunkId(String key) {
        int hash = key.lastIndexOf('#');
        return new ChunkId(key.substring(0, hash), Integer.parseInt(key.substring(hash + 1)));
    }

    /** The store as loaded at {@code version} or later, loading it when the index is behind; empty when it is gone. */
    private Optional<Loaded> loadedAt(String storeId, long version) {
        Loaded current = loaded.get(storeId);
        if (current != null && current.version() >= version) {
            return Optional.of(current);
        }
        ReentrantLock lock = locks.computeIfAbsent(storeId, id -> new ReentrantLock());
        lock.lock();
        try {
            current = loaded.get(storeId);
            if (current != null && current.version() >= version) {
                return Optional.of(current);
            }
            return load(storeId);
        } finally {
            lock.unlock();
        }
    }

    /** Loads the store into a fresh namespace that then replaces its old one. Under the store's lock. */
    private Optional<Loaded> load(String storeId) {
        String namespace = NAMESPACE_PREFIX + storeId + ":" + generations.incrementAndGet();
        OptionalLong version;
        try {
            version = records.loadVectors(storeId,
                    vector -> index.put(namespace, key(vector.id()), vector.vector(), Map.of()));
        } catch (RuntimeException e) {
            index.clear(namespace);
            throw e;
        }
        Loaded old;
        Optional<Loaded> now;
        if (version.isEmpty()) {
            index.clear(namespace);
            old = loaded.remove(storeId);
            now = Optional.empty();
        } else {
            Loaded fresh = new Loaded(version.getAsLong(), namespace);
            old = loaded.put(storeId, fresh);
            now = Optional.of(fresh);
        }
        if (old != null) {
            index.clear(old.namespace());
        }
        return now;
    }

    private void withLock(String storeId, Runnable action) {
        ReentrantLock lock = locks.computeIfAbsent(storeId, id -> new ReentrantLock());
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    /** What the index holds of one store. Compared by identity in {@link #search}. */
    private static final class Loaded {
        private final long version;
        private final String namespace;

        Loaded(long version, String namespace) {
            this.version = version;
            this.namespace = namespace;
        }

        long version() {
            return version;
        }

        String namespace() {
            return namespace;
        }
    }
}
