package dev.smartflow.store.sql;

import dev.smartflow.core.spi.VectorChunk;
import dev.smartflow.core.spi.VectorFile;
import dev.smartflow.core.spi.VectorStore;
import dev.smartflow.core.spi.VectorStoreRecords;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/**
 * The {@link VectorStoreRecords} of a {@link SqlDatabase}: tables {@code vector_stores}, {@code vector_store_files}
 * and {@code vector_store_chunks} (see V4__vector_stores.sql). Every write that touches more than one row is one
 * transaction, and takes its row locks in the schema's one order (store, then file, then chunks): a store's row is
 * locked by whoever changes its file count or version, a file's row by whoever adds chunks to it or ends its ingest.
 */
final class SqlVectorStoreRecords implements VectorStoreRecords {
    private static final String STORE_COLUMNS = "id, tenant, name, description, metadata, embedding_model, file_count, "
            + "version, created_at_us";
    private static final String FILE_COLUMNS = "id, store_id, filename, metadata, size_bytes, chunk_count, "
            + "chunks_embedded, status, last_error, created_at_us, updated_at_us";
    private static final String IN_PROGRESS = VectorFile.Status.IN_PROGRESS.id();
    private static final String COMPLETED = VectorFile.Status.COMPLETED.id();
    private static final String FAILED = VectorFile.Status.FAILED.id();
    /** Rows fetched at a time when the vectors of a whole store are read. */
    private static final int FETCH_SIZE = 1_000;

    private final SqlDatabase database;
    private final Dialect dialect;

    SqlVectorStoreRecords(SqlDatabase database, Dialect dialect) {
        this.database = database;
        this.dialect = dialect;
    }

    @Override
    public void createStore(VectorStore store) {
        Objects.requireNonNull(store, "store");
        try {
            database.jdbi().useHandle(handle -> handle.createUpdate("INSERT INTO vector_stores (" + STORE_COLUMNS
                            + ") VALUES (:id, :tenant, :name, :description, :metadata, :model, :files, :version, "
                            + ":created)")
                    .bind("id", store.id())
                    .bind("tenant", store.tenant())
                    .bind("name", store.name())
                    .bind("description", store.description())
                    .bind("metadata", Columns.json(store.metadata()))
                    .bind("model", store.embeddingModel())
                    .bind("files", store.fileCount())
                    .bind("version", store.version())
                    .bind("created", Columns.micros(store.createdAt()))
                    .execute());
        } catch (JdbiException e) {
            if (Columns.uniqueViolation(e)) {
                throw new IllegalStateException("a vector store with this id exists: " + store.id(), e);
            }
            throw e;
        }
    }

    @Override
    public Optional<VectorStore> findStore(String tenant, String id) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(id, "id");
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT " + STORE_COLUMNS
                        + " FROM vector_stores WHERE id = :id AND tenant = :tenant")
                .bind("id", id).bind("tenant", tenant)
                .map((rs, ctx) -> store(rs)).findOne());
    }

    @Override
    public Page<VectorStore> listStores(String tenant, PageRequest request) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(request, "request");
        return database.jdbi().withHandle(handle -> page(handle, "SELECT " + STORE_COLUMNS + " FROM vector_stores",
                "tenant", tenant, request, SqlVectorStoreRecords::store));
    }

    @Override
    public boolean deleteStore(String tenant, String id) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(id, "id");
        return database.jdbi().inTransaction(handle -> handle.createUpdate(
                        "DELETE FROM vector_stores WHERE id = :id AND tenant = :tenant")
                .bind("id", id).bind("tenant", tenant).execute()) > 0;
    }

    @Override
    public List<StoreVersion> versions() {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT id, version, embedding_model "
                        + "FROM vector_stores ORDER BY " + dialect.binary("id"))
                .map((rs, ctx) -> new StoreVersion(rs.getString("id"), rs.getLong("version"),
                        rs.getString("embedding_model")))
                .list());
    }

    @Override
    public boolean addFile(VectorFile file) {
        Objects.requireNonNull(file, "file");
        try {
            return database.jdbi().inTransaction(handle -> {
                if (handle.createUpdate("UPDATE vector_stores SET file_count = file_count + 1 WHERE id = :store")
                        .bind("store", file.storeId()).execute() == 0) {
                    return false;
                }
                handle.createUpdate("INSERT INTO vector_store_files (" + FILE_COLUMNS + ") VALUES (:id, :store, "
                                + ":filename, :metadata, :bytes, :chunks, :embedded, :status, :error, :created, "
                                + ":updated)")
                        .bind("id", file.id())
                        .bind("store", file.storeId())
                        .bind("filename", file.filename())
                        .bind("metadata", Columns.json(file.metadata()))
                        .bind("bytes", file.bytes())
                        .bind("chunks", file.chunkCount())
                        .bind("embedded", file.chunksEmbedded())
                        .bind("status", file.status().id())
                        .bind("error", file.lastError().orElse(null))
                        .bind("created", Columns.micros(file.createdAt()))
                        .bind("updated", Columns.micros(file.updatedAt()))
                        .execute();
                return true;
            });
        } catch (JdbiException e) {
            if (Columns.uniqueViolation(e)) {
                throw new IllegalStateException("a vector store file with this id exists: " + file.id(), e);
            }
            throw e;
        }
    }

    @Override
    public Optional<VectorFile> findFile(String storeId, String fileId) {
        Objects.requireNonNull(storeId, "storeId");
        Objects.requireNonNull(fileId, "fileId");
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT " + FILE_COLUMNS
                        + " FROM vector_store_files WHERE id = :id AND store_id = :store")
                .bind("id", fileId).bind("store", storeId)
                .map((rs, ctx) -> file(rs)).findOne());
    }

    @Override
    public Page<VectorFile> listFiles(String storeId, PageRequest request) {
        Objects.requireNonNull(storeId, "storeId");
        Objects.requireNonNull(request, "request");
        return database.jdbi().withHandle(handle -> page(handle, "SELECT " + FILE_COLUMNS
                + " FROM vector_store_files", "store_id", storeId, request, SqlVectorStoreRecords::file));
    }

    @Override
    public boolean appendChunks(String fileId, List<VectorChunk> chunks, Instant now) {
        Objects.requireNonNull(fileId, "fileId");
        List<VectorChunk> batch = List.copyOf(chunks);
        Objects.requireNonNull(now, "now");
        Set<Integer> indexes = new HashSet<>();
        for (VectorChunk chunk : batch) {
            if (!chunk.fileId().equals(fileId)) {
                throw new IllegalArgumentException("a chunk of another file: " + chunk.fileId());
            }
            if (!indexes.add(chunk.index())) {
                throw new IllegalArgumentException("chunk " + chunk.index() + " of " + fileId + " twice");
            }
        }
        try {
            return database.jdbi().inTransaction(handle -> {
                Optional<FileState> state = lockFile(handle, fileId);
                if (state.isEmpty() || !state.get().status().equals(IN_PROGRESS)) {
                    return false;
                }
                for (VectorChunk chunk : batch) {
                    if (chunk.index() >= state.get().chunkCount()) {
                        throw new IllegalArgumentException("chunk " + chunk.index() + " is beyond the file's "
                                + state.get().chunkCount() + " chunks");
                    }
                }
                if (!batch.isEmpty()) {
                    PreparedBatch insert = handle.prepareBatch("INSERT INTO vector_store_chunks (file_id, "
                            + "chunk_index, store_id, content, vector) VALUES (:file, :index, :store, :content, "
                            + ":vector)");
                    for (VectorChunk chunk : batch) {
                        insert.bind("file", fileId).bind("index", chunk.index())
                                .bind("store", state.get().storeId()).bind("content", chunk.text())
                                .bind("vector", chunk.vectorBytes()).add();
                    }
                    insert.execute();
                }
                handle.createUpdate("UPDATE vector_store_files SET chunks_embedded = chunks_embedded + :n, "
                                + "updated_at_us = :now WHERE id = :id")
                        .bind("n", batch.size()).bind("now", Columns.micros(now)).bind("id", fileId).execute();
                return true;
            });
        } catch (JdbiException e) {
            if (Columns.uniqueViolation(e)) {
                throw new IllegalArgumentException("a chunk of " + fileId + " is stored already", e);
            }
            throw e;
        }
    }

    @Override
    public OptionalLong completeFile(String fileId, Instant now) {
        Objects.requireNonNull(fileId, "fileId");
        Objects.requireNonNull(now, "now");
        return database.jdbi().inTransaction(handle -> {
            Optional<String> storeId = handle.createQuery("SELECT store_id FROM vector_store_files WHERE id = :id")
                    .bind("id", fileId).mapTo(String.class).findOne();
            if (storeId.isEmpty() || !lockStore(handle, storeId.get())) {
                return OptionalLong.empty();
            }
            Optional<FileState> state = lockFile(handle, fileId);
            if (state.isEmpty() || !state.get().status().equals(IN_PROGRESS)) {
                return OptionalLong.empty();
            }
            int stored = handle.createQuery("SELECT COUNT(*) FROM vector_store_chunks WHERE file_id = :id")
                    .bind("id", fileId).mapTo(Integer.class).one();
            if (stored != state.get().chunkCount()) {
                throw new IllegalStateException("file " + fileId + " has " + stored + " of its "
                        + state.get().chunkCount() + " chunks stored");
            }
            handle.createUpdate("UPDATE vector_store_files SET status = :completed, updated_at_us = :now "
                            + "WHERE id = :id")
                    .bind("completed", COMPLETED).bind("now", Columns.micros(now)).bind("id", fileId).execute();
            handle.createUpdate("UPDATE vector_stores SET version = version + 1 WHERE id = :store")
                    .bind("store", storeId.get()).execute();
            return OptionalLong.of(version(handle, storeId.get()));
        });
    }

    @Override
    public boolean failFile(String fileId, String error, Instant now) {
        Objects.requireNonNull(fileId, "fileId");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(now, "now");
        VectorStoreRecords.requireStorable(error, "error");
        return database.jdbi().inTransaction(handle -> fail(handle, fileId, error, now));
    }

    @Override
    public int failStaleFiles(Instant updatedBefore, String error, Instant now) {
        Objects.requireNonNull(updatedBefore, "updatedBefore");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(now, "now");
        VectorStoreRecords.requireStorable(error, "error");
        List<String> stale = database.jdbi().withHandle(handle -> handle.createQuery("SELECT id FROM "
                        + "vector_store_files WHERE status = :status AND updated_at_us < :before")
                .bind("status", IN_PROGRESS).bind("before", Columns.micros(updatedBefore))
                .mapTo(String.class).list());
        int failed = 0;
        for (String fileId : stale) {
            // each in its own transaction, checked again under its lock: it may have moved on meanwhile
            boolean changed = database.jdbi().inTransaction(handle -> {
                Optional<FileState> state = lockFile(handle, fileId);
                if (state.isEmpty() || state.get().updatedAtUs() >= Columns.micros(updatedBefore)) {
                    return false;
                }
                return fail(handle, fileId, error, now);
            });
            failed += changed ? 1 : 0;
        }
        return failed;
    }

    @Override
    public OptionalLong deleteFile(String storeId, String fileId) {
        Objects.requireNonNull(storeId, "storeId");
        Objects.requireNonNull(fileId, "fileId");
        return database.jdbi().inTransaction(handle -> {
            if (!lockStore(handle, storeId)) {
                return OptionalLong.empty();
            }
            Optional<String> status = handle.createQuery("SELECT status FROM vector_store_files "
                            + "WHERE id = :id AND store_id = :store")
                    .bind("id", fileId).bind("store", storeId).mapTo(String.class).findOne();
            if (status.isEmpty()) {
                return OptionalLong.empty();
            }
            handle.createUpdate("DELETE FROM vector_store_files WHERE id = :id").bind("id", fileId).execute();
            handle.createUpdate("UPDATE vector_stores SET file_count = file_count - 1, version = version + :change "
                            + "WHERE id = :store")
                    .bind("change", status.get().equals(COMPLETED) ? 1 : 0).bind("store", storeId).execute();
            return OptionalLong.of(version(handle, storeId));
        });
    }

    @Override
    public OptionalLong loadVectors(String storeId, Consumer<ChunkVector> sink) {
        Objects.requireNonNull(storeId, "storeId");
        Objects.requireNonNull(sink, "sink");
        // One transaction: PostgreSQL streams a result set in pieces of the fetch size only inside one.
        return database.jdbi().inTransaction(handle -> {
            Optional<Long> version = handle.createQuery("SELECT version FROM vector_stores WHERE id = :store")
                    .bind("store", storeId).mapTo(Long.class).findOne();
            if (version.isEmpty()) {
                return OptionalLong.empty();
            }
            Query query = handle.createQuery("SELECT c.file_id, c.chunk_index, c.vector FROM vector_store_chunks c "
                            + "JOIN vector_store_files f ON f.id = c.file_id "
                            + "WHERE c.store_id = :store AND f.status = :completed")
                    .bind("store", storeId).bind("completed", COMPLETED);
            query.setFetchSize(FETCH_SIZE);
            query.map((rs, ctx) -> new ChunkVector(new ChunkId(rs.getString("file_id"), rs.getInt("chunk_index")),
                    VectorChunk.vectorOf(rs.getBytes("vector")))).forEach(sink);
            return OptionalLong.of(version.get());
        });
    }

    @Override
    public List<ChunkText> chunkTexts(String storeId, List<ChunkId> chunks) {
        Objects.requireNonNull(storeId, "storeId");
        List<ChunkId> wanted = List.copyOf(chunks);
        if (wanted.isEmpty()) {
            database.requireOpen();
            return List.of();
        }
        StringBuilder sql = new StringBuilder("SELECT c.file_id, c.chunk_index, c.content, f.filename "
                + "FROM vector_store_chunks c JOIN vector_store_files f ON f.id = c.file_id "
                + "WHERE c.store_id = :store AND f.status = :completed AND (");
        for (int i = 0; i < wanted.size(); i++) {
            sql.append(i == 0 ? "" : " OR ").append("(c.file_id = :f").append(i).append(" AND c.chunk_index = :i")
                    .append(i).append(')');
        }
        sql.append(')');
        return database.jdbi().withHandle(handle -> {
            Query query = handle.createQuery(sql.toString()).bind("store", storeId).bind("completed", COMPLETED);
            for (int i = 0; i < wanted.size(); i++) {
                query.bind("f" + i, wanted.get(i).fileId()).bind("i" + i, wanted.get(i).index());
            }
            return query.map((rs, ctx) -> new ChunkText(new ChunkId(rs.getString("file_id"),
                    rs.getInt("chunk_index")), rs.getString("filename"), rs.getString("content"))).list();
        });
    }

    /** A file's row, locked for the rest of the transaction. */
    private static Optional<FileState> lockFile(Handle handle, String fileId) {
        return handle.createQuery("SELECT store_id, status, chunk_count, updated_at_us FROM vector_store_files "
                        + "WHERE id = :id FOR UPDATE")
                .bind("id", fileId)
                .map((rs, ctx) -> new FileState(rs.getString("store_id"), rs.getString("status"),
                        rs.getInt("chunk_count"), rs.getLong("updated_at_us")))
                .findOne();
    }

    /** Locks a store's row for the rest of the transaction; false when there is no such store. */
    private static boolean lockStore(Handle handle, String storeId) {
        return handle.createQuery("SELECT id FROM vector_stores WHERE id = :id FOR UPDATE")
                .bind("id", storeId).mapTo(String.class).findOne().isPresent();
    }

    private static long version(Handle handle, String storeId) {
        return handle.createQuery("SELECT version FROM vector_stores WHERE id = :id")
                .bind("id", storeId).mapTo(Long.class).one();
    }

    private static boolean fail(Handle handle, String fileId, String error, Instant now) {
        int changed = handle.createUpdate("UPDATE vector_store_files SET status = :failed, last_error = :error, "
                        + "chunks_embedded = 0, updated_at_us = :now WHERE id = :id AND status = :inProgress")
                .bind("failed", FAILED).bind("error", error).bind("now", Columns.micros(now))
                .bind("id", fileId).bind("inProgress", IN_PROGRESS).execute();
        if (changed == 0) {
            return false;
        }
        handle.createUpdate("DELETE FROM vector_store_chunks WHERE file_id = :id").bind("id", fileId).execute();
        return true;
    }

    /**
     * A page of rows whose {@code ownerColumn} is {@code owner}, by creation time then id, after the cursor row; one
     * row more than the limit is read to tell whether more follow.
     */
    private <T> Page<T> page(Handle handle, String select, String ownerColumn, String owner, PageRequest request,
                             RowReader<T> reader) {
        String table = select.substring(select.lastIndexOf(" FROM ") + 6);
        String direction = request.newestFirst() ? "DESC" : "ASC";
        String comparison = request.newestFirst() ? "<" : ">";
        StringBuilder sql = new StringBuilder(select).append(" WHERE ").append(ownerColumn).append(" = :owner");
        Long afterCreated = null;
        if (request.after().isPresent()) {
            Optional<Long> cursor = handle.createQuery("SELECT created_at_us FROM " + table + " WHERE id = :id AND "
                            + ownerColumn + " = :owner")
                    .bind("id", request.after().get()).bind("owner", owner).mapTo(Long.class).findOne();
            if (cursor.isEmpty()) {
                return new Page<>(List.of(), false);
            }
            afterCreated = cursor.get();
            sql.append(" AND (created_at_us ").append(comparison).append(" :afterCreated OR (created_at_us = ")
                    .append(":afterCreated AND ").append(dialect.binary("id")).append(' ').append(comparison)
                    .append(" :afterId))");
        }
        sql.append(" ORDER BY created_at_us ").append(direction).append(", ").append(dialect.binary("id"))
                .append(' ').append(direction).append(" LIMIT :limit");
        Query query = handle.createQuery(sql.toString()).bind("owner", owner).bind("limit", request.limit() + 1);
        if (afterCreated != null) {
            query.bind("afterCreated", afterCreated).bind("afterId", request.after().get());
        }
        List<T> rows = new ArrayList<>(query.map((rs, ctx) -> reader.read(rs)).list());
        boolean more = rows.size() > request.limit();
        return new Page<>(more ? rows.subList(0, request.limit()) : rows, more);
    }

    private static VectorStore store(ResultSet rs) throws SQLException {
        return new VectorStore(rs.getString("id"), rs.getString("tenant"), rs.getString("name"),
                rs.getString("description"), Columns.stringMap(rs.getString("metadata")),
                rs.getString("embedding_model"), rs.getInt("file_count"), rs.getLong("version"),
                Columns.instant(rs.getLong("created_at_us")));
    }

    private static VectorFile file(ResultSet rs) throws SQLException {
        return new VectorFile(rs.getString("id"), rs.getString("store_id"), rs.getString("filename"),
                Columns.stringMap(rs.getString("metadata")), rs.getLong("size_bytes"), rs.getInt("chunk_count"),
                rs.getInt("chunks_embedded"), VectorFile.Status.of(rs.getString("status")),
                Columns.optionalString(rs, "last_error"), Columns.instant(rs.getLong("created_at_us")),
                Columns.instant(rs.getLong("updated_at_us")));
    }

    /** What the writers check of a file under its lock. */
    private record FileState(String storeId, String status, int chunkCount, long updatedAtUs) {
    }

    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }
}
