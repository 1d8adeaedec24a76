package dev.smartflow.core.memory;

import dev.smartflow.core.spi.VectorChunk;
import dev.smartflow.core.spi.VectorFile;
import dev.smartflow.core.spi.VectorStore;
import dev.smartflow.core.spi.VectorStoreRecords;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The {@link VectorStoreRecords} of an {@link InMemoryDatabase}: every operation under one lock, so each is atomic.
 * Chunks handed to {@link #loadChunks} are read under the lock too, so the sink must not call back into the records.
 */
final class InMemoryVectorStoreRecords implements VectorStoreRecords {
    private final Guard guard;
    private final Map<String, VectorStore> stores = new HashMap<>();
    private final Map<String, VectorFile> files = new HashMap<>();
    /** Each file's stored chunks by index. */
    private final Map<String, TreeMap<Integer, VectorChunk>> chunks = new HashMap<>();

    InMemoryVectorStoreRecords(AtomicBoolean closed) {
        this.guard = new Guard(closed);
    }

    @Override
    public void createStore(VectorStore store) {
        Objects.requireNonNull(store, "store");
        guard.locked(() -> {
            if (stores.putIfAbsent(store.id(), store) != null) {
                throw new IllegalStateException("a vector store with this id exists: " + store.id());
            }
            return null;
        });
    }

    @Override
    public Optional<VectorStore> findStore(String tenant, String id) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> Optional.ofNullable(stores.get(id)).filter(store -> store.tenant().equals(tenant)));
    }

    @Override
    public Page<VectorStore> listStores(String tenant, PageRequest request) {
        Objects.requireNonNull(tenant, "tenant");
        return guard.locked(() -> page(stores.values(), store -> store.tenant().equals(tenant), VectorStore::id,
                VectorStore::createdAt, request));
    }

    @Override
    public boolean deleteStore(String tenant, String id) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> {
            VectorStore store = stores.get(id);
            if (store == null || !store.tenant().equals(tenant)) {
                return false;
            }
            stores.remove(id);
            files.values().removeIf(file -> {
                if (file.storeId().equals(id)) {
                    chunks.remove(file.id());
                    return true;
                }
                return false;
            });
            return true;
        });
    }

    @Override
    public List<StoreVersion> versions() {
        return guard.locked(() -> stores.values().stream()
                .map(store -> new StoreVersion(store.id(), store.version(), store.embeddingModel()))
                .sorted(Comparator.comparing(StoreVersion::id))
                .toList());
    }

    @Override
    public boolean addFile(VectorFile file) {
        Objects.requireNonNull(file, "file");
        return guard.locked(() -> {
            VectorStore store = stores.get(file.storeId());
            if (store == null) {
                return false;
            }
            if (files.containsKey(file.id())) {
                throw new IllegalStateException("a vector store file with this id exists: " + file.id());
            }
            files.put(file.id(), file);
            stores.put(store.id(), withFiles(store, store.fileCount() + 1, store.version()));
            return true;
        });
    }

    @Override
    public Optional<VectorFile> findFile(String storeId, String fileId) {
        Objects.requireNonNull(storeId, "storeId");
        Objects.requireNonNull(fileId, "fileId");
        return guard.locked(() -> Optional.ofNullable(files.get(fileId)).filter(file -> file.storeId().equals(storeId)));
    }

    @Override
    public Page<VectorFile> listFiles(String storeId, PageRequest request) {
        Objects.requireNonNull(storeId, "storeId");
        return guard.locked(() -> page(files.values(), file -> file.storeId().equals(storeId), VectorFile::id,
                VectorFile::createdAt, request));
    }

    @Override
    public boolean appendChunks(String fileId, List<VectorChunk> batch, Instant now) {
        Objects.requireNonNull(fileId, "fileId");
        List<VectorChunk> copy = List.copyOf(batch);
        Objects.requireNonNull(now, "now");
        return guard.locked(() -> {
            VectorFile file = files.get(fileId);
            if (file == null || file.status() != VectorFile.Status.IN_PROGRESS) {
                return false;
            }
            TreeMap<Integer, VectorChunk> stored = chunks.getOrDefault(fileId, new TreeMap<>());
            Set<Integer> indexes = new HashSet<>();
            for (VectorChunk chunk : copy) {
                if (!chunk.fileId().equals(fileId)) {
                    throw new IllegalArgumentException("a chunk of another file: " + chunk.fileId());
                }
                if (chunk.index() >= file.chunkCount()) {
                    throw new IllegalArgumentException("chunk " + chunk.index() + " is beyond the file's "
                            + file.chunkCount() + " chunks");
                }
                if (stored.containsKey(chunk.index()) || !indexes.add(chunk.index())) {
                    throw new IllegalArgumentException("chunk " + chunk.index() + " of " + fileId + " twice");
                }
            }
            copy.forEach(chunk -> stored.put(chunk.index(), chunk));
            chunks.put(fileId, stored);
            files.put(fileId, new VectorFile(file.id(), file.storeId(), file.filename(), file.metadata(),
                    file.bytes(), file.chunkCount(), file.chunksEmbedded() + copy.size(), file.status(),
                    file.lastError(), file.createdAt(), now));
            return true;
        });
    }

    @Override
    public OptionalLong completeFile(String fileId, Instant now) {
        Objects.requireNonNull(fileId, "fileId");
        Objects.requireNonNull(now, "now");
        return guard.locked(() -> {
            VectorFile file = files.get(fileId);
            if (file == null || file.status() != VectorFile.Status.IN_PROGRESS) {
                return OptionalLong.empty();
            }
            int stored = chunks.getOrDefault(fileId, new TreeMap<>()).size();
            if (stored != file.chunkCount()) {
                throw new IllegalStateException("file " + fileId + " has " + stored + " of its " + file.chunkCount()
                        + " chunks stored");
            }
            files.put(fileId, withStatus(file, VectorFile.Status.COMPLETED, Optional.empty(), now));
            VectorStore store = stores.get(file.storeId());
            VectorStore changed = withFiles(store, store.fileCount(), store.version() + 1);
            stores.put(store.id(), changed);
            return OptionalLong.of(changed.version());
        });
    }

    @Override
    public boolean failFile(String fileId, String error, Instant now) {
        Objects.requireNonNull(fileId, "fileId");
        VectorStoreRecords.requireStorable(error, "error");
        Objects.requireNonNull(now, "now");
        return guard.locked(() -> {
            VectorFile file = files.get(fileId);
            if (file == null || file.status() != VectorFile.Status.IN_PROGRESS) {
                return false;
            }
            fail(file, error, now);
            return true;
        });
    }

    @Override
    public int failStaleFiles(Instant updatedBefore, String error, Instant now) {
        Objects.requireNonNull(updatedBefore, "updatedBefore");
        VectorStoreRecords.requireStorable(error, "error");
        Objects.requireNonNull(now, "now");
        return guard.locked(() -> {
            List<VectorFile> stale = files.values().stream()
                    .filter(file -> file.status() == VectorFile.Status.IN_PROGRESS)
                    .filter(file -> file.updatedAt().isBefore(updatedBefore))
                    .toList();
            stale.forEach(file -> fail(file, error, now));
            return stale.size();
        });
    }

    @Override
    public OptionalLong deleteFile(String storeId, String fileId) {
        Objects.requireNonNull(storeId, "storeId");
        Objects.requireNonNull(fileId, "fileId");
        return guard.locked(() -> {
            VectorFile file = files.get(fileId);
            if (file == null || !file.storeId().equals(storeId)) {
                return OptionalLong.empty();
            }
            files.remove(fileId);
            chunks.remove(fileId);
            VectorStore store = stores.get(storeId);
            long version = store.version() + (file.status() == VectorFile.Status.COMPLETED ? 1 : 0);
            stores.put(storeId, withFiles(store, store.fileCount() - 1, version));
            return OptionalLong.of(version);
        });
    }

    @Override
    public OptionalLong loadVectors(String storeId, Consumer<ChunkVector> sink) {
        Objects.requireNonNull(storeId, "storeId");
        Objects.requireNonNull(sink, "sink");
        return guard.locked(() -> {
            VectorStore store = stores.get(storeId);
            if (store == null) {
                return OptionalLong.empty();
            }
            for (VectorFile file : files.values()) {
                if (file.storeId().equals(storeId) && file.status() == VectorFile.Status.COMPLETED) {
                    for (VectorChunk chunk : chunks.getOrDefault(file.id(), new TreeMap<>()).values()) {
                        sink.accept(new ChunkVector(new ChunkId(chunk.fileId(), chunk.index()), chunk.vector()));
                    }
                }
            }
            return OptionalLong.of(store.version());
        });
    }

    @Override
    public List<ChunkText> chunkTexts(String storeId, List<ChunkId> wanted) {
        Objects.requireNonNull(storeId, "storeId");
        List<ChunkId> ids = List.copyOf(wanted);
        return guard.locked(() -> {
            List<ChunkText> found = new ArrayList<>();
            for (ChunkId id : ids) {
                VectorFile file = files.get(id.fileId());
                if (file == null || !file.storeId().equals(storeId) || file.status() != VectorFile.Status.COMPLETED) {
                    continue;
                }
                VectorChunk chunk = chunks.getOrDefault(file.id(), new TreeMap<>()).get(id.index());
                if (chunk != null) {
                    found.add(new ChunkText(id, file.filename(), chunk.text()));
                }
            }
            return found;
        });
    }

    private void fail(VectorFile file, String error, Instant now) {
        chunks.remove(file.id());
        files.put(file.id(), new VectorFile(file.id(), file.storeId(), file.filename(), file.metadata(), file.bytes(),
                file.chunkCount(), 0, VectorFile.Status.FAILED, Optional.of(error), file.createdAt(), now));
    }

    private static VectorFile withStatus(VectorFile file, VectorFile.Status status, Optional<String> error,
                                         Instant now) {
        return new VectorFile(file.id(), file.storeId(), file.filename(), file.metadata(), file.bytes(),
                file.chunkCount(), file.chunksEmbedded(), status, error, file.createdAt(), now);
    }

    private static VectorStore withFiles(VectorStore store, int fileCount, long version) {
        return new VectorStore(store.id(), store.tenant(), store.name(), store.description(), store.metadata(),
                store.embeddingModel(), fileCount, version, store.createdAt());
    }

    private static <T> Page<T> page(Iterable<T> all, Predicate<T> wanted, Function<T, String> id,
                                    Function<T, Instant> createdAt, PageRequest request) {
        Comparator<T> order = Comparator.comparing(createdAt).thenComparing(id);
        if (request.newestFirst()) {
            order = order.reversed();
        }
        List<T> sorted = new ArrayList<>();
        all.forEach(item -> {
            if (wanted.test(item)) {
                sorted.add(item);
            }
        });
        sorted.sort(order);
        int from = 0;
        if (request.after().isPresent()) {
            String after = request.after().get();
            from = -1;
            for (int i = 0; i < sorted.size(); i++) {
                if (id.apply(sorted.get(i)).equals(after)) {
                    from = i + 1;
                    break;
                }
            }
            if (from < 0) {
                return new Page<>(List.of(), false);
            }
        }
        int to = (int) Math.min(sorted.size(), (long) from + request.limit());
        return new Page<>(sorted.subList(from, to), to < sorted.size());
    }
}
