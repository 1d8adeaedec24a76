package dev.smartflow.cache.rag;

import dev.smartflow.cache.index.FlatVectorIndex;
import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.keys.VirtualKeys;
import dev.smartflow.core.spi.Embedder;
import dev.smartflow.core.spi.VectorChunk;
import dev.smartflow.core.spi.VectorFile;
import dev.smartflow.core.spi.VectorIndex;
import dev.smartflow.core.spi.VectorStore;
import dev.smartflow.core.spi.VectorStoreRecords.ChunkId;
import dev.smartflow.core.spi.VectorStoreRecords.ChunkText;
import dev.smartflow.core.spi.VectorStoreRecords.ChunkVector;
import dev.smartflow.core.spi.VectorStoreRecords.Page;
import dev.smartflow.core.spi.VectorStoreRecords.PageRequest;
import dev.smartflow.core.spi.VectorStoreRecords;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * Vector stores in-process: create a store, add text files to it (cut into chunks, embedded in batches and kept in
 * the {@link dev.smartflow.core.spi.Database}), and search it by meaning. The server's {@code /v1/vector_stores} and
 * {@code /v1/rag} routes are this API over HTTP; {@link Rag} adds the RAG pipeline's ingest and query on top.
 *
 * <pre>{@code
 * try (VectorStores stores = VectorStores.builder(database.vectorStores(), embedder).build()) {
 *     String tenant = Principal.embedded("docs-app").tenant();
 *     VectorStore docs = stores.create(tenant, NewVectorStore.named("product-docs"));
 *     stores.addFile(tenant, docs.id(), Document.of(text).withFilename("architecture.md"));
 *     for (SearchHit hit : stores.search(tenant, docs.id(), "How does the cache work?", 5, 0.3)) {
 *         System.out.println(hit.score() + " " + hit.filename() + ": " + hit.content());
 *     }
 * }
 * }</pre>
 *
 * <p><b>Tenancy.</b> Every call names the tenant it acts for ({@link dev.smartflow.core.exchange.Principal#tenant()}
 * over HTTP). A store belongs to the tenant that created it; for any other tenant it does not exist: a 404
 * {@link NotFound}, never listed, never searched.
 *
 * <p><b>Ingest and progress.</b> A file is recorded {@code in_progress} with its chunk count before its first chunk is
 * embedded; each batch of chunks ({@link Builder#batchSize}) is stored with the count embedded so far
 * ({@link VectorFile#chunksEmbedded()}), so {@link #files}/{@link #file} show the progress while it runs. The file
 * becomes searchable, whole, once every chunk is stored ({@code completed}). {@link #addFile} waits for that;
 * {@link #startFile} returns the in-progress file at once and embeds in the background. A file whose embedding fails is
 * {@code failed} with the reason and no chunks; a file left in progress by a process that died is failed by the next
 * {@link #refresh} after {@link Builder#staleAfter}.
 *
 * <p><b>The index.</b> Vectors live in the database; searches run on an in-memory {@link VectorIndex} rebuilt from it.
 * {@link Builder#build()} starts catching the index up in the background (unless {@link Builder#refreshEvery} is
 * zero) and then every interval, so changes other instances make to a shared database arrive; a search of a store the
 * index is behind on loads that store first, so results are always as recent as the records.
 *
 * <p><b>Contract.</b> Thread-safe; calls block on the embedder and the database (use virtual threads). Bad input is an
 * {@link InvalidRequest} naming the field as the HTTP API spells it, input over a limit a 413 {@link GatewayError},
 * an unknown store or file a {@link NotFound}; nothing is changed by a refused call.
 */
public final class VectorStores implements AutoCloseable {
    public static final int MAX_NAME_LENGTH = 256;
    public static final int MAX_DESCRIPTION_LENGTH = 512;
    public static final int MAX_FILENAME_LENGTH = 256;
    public static final int MAX_METADATA_PAIRS = 16;
    public static final int MAX_METADATA_KEY_LENGTH = 64;
    public static final int MAX_METADATA_VALUE_LENGTH = 512;
    public static final int MIN_CHUNK_SIZE = 100;
    public static final int MAX_CHUNK_SIZE = 8_192;
    public static final int MAX_RESULTS = 100;
    public static final int MAX_QUERY_LENGTH = 8_192;
    public static final int MAX_CHUNKS_PER_FILE = 100_000;
    public static final long DEFAULT_MAX_FILE_BYTES = 4L * 1024 * 1024;
    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final Duration DEFAULT_STALE_AFTER = Duration.ofMinutes(10);
    public static final Duration DEFAULT_REFRESH_EVERY = Duration.ofSeconds(30);

    static final Pattern STORE_ID = Pattern.compile("vs_[0-9a-f]{24}");
    static final Pattern FILE_ID = Pattern.compile("vf_[0-9a-f]{24}");
    private static final String INTERRUPTED = "interrupted: the gateway stopped before every chunk was embedded";
    private static final char REPLACEMENT = '\uFFFD';
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final System.Logger LOG = System.getLogger(VectorStores.class.getName());

    private final VectorStoreRecords records;
    private final Embedder embedder;
    private final StoreIndex index;
    private final InstantSource clock;
    private final long maxFileBytes;
    private final int batchSize;
    private final Duration staleAfter;
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread refresher;

    private VectorStores(Builder builder) {
        this.records = builder.records;
        this.embedder = builder.embedder;
        this.index = new StoreIndex(builder.records, builder.index);
        this.clock = builder.clock;
        this.maxFileBytes = builder.maxFileBytes;
        this.batchSize = builder.batchSize;
        this.staleAfter = builder.staleAfter;
        Duration every = builder.refreshEvery;
        this.refresher = every.isZero() ? null : Thread.ofVirtual().name("smartflow-vector-stores-refresh")
                .start(() -> refreshUntilClosed(every));
    }

    /**
     * Configures vector stores kept in {@code records}, embedded by {@code embedder}.
     *
     * <pre>{@code
     * VectorStores stores = VectorStores.builder(database.vectorStores(), embedder).maxFileBytes(1 << 20).build();
     * }</pre>
     */
    public static Builder builder(VectorStoreRecords records, Embedder embedder) {
        return new Builder(records, embedder);
    }

    /** The embedder every store's vectors come from. */
    public Embedder embedder() {
        return embedder;
    }

    /**
     * Creates an empty store for {@code tenant}.
     *
     * @throws InvalidRequest when the name, description or metadata break a limit
     */
    public VectorStore create(String tenant, NewVectorStore spec) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(spec, "spec");
        String name = spec.name().strip();
        if (name.isEmpty()) {
            throw new InvalidRequest("'name' must not be empty", "invalid_value", "name");
        }
        checkText("name", name, MAX_NAME_LENGTH);
        checkText("description", spec.description(), MAX_DESCRIPTION_LENGTH);
        checkMetadata(spec.metadata());
        VectorStore store = VectorStore.create(newId("vs_"), tenant, name, spec.description(), spec.metadata(),
                embedder.model(), clock.instant());
        records.createStore(store);
        return store;
    }

    /**
     * The store {@code storeId} of {@code tenant}.
     *
     * @throws NotFound when the tenant has no such store
     */
    public VectorStore get(String tenant, String storeId) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(storeId, "storeId");
        if (!STORE_ID.matcher(storeId).matches()) {
            throw storeNotFound(storeId);
        }
        return records.findStore(tenant, storeId).orElseThrow(() -> storeNotFound(storeId));
    }

    /** A page of the tenant's stores. */
    public Page<VectorStore> list(String tenant, PageRequest page) {
        return records.listStores(Objects.requireNonNull(tenant, "tenant"), page);
    }

    /**
     * Deletes the store with its files, chunks and vectors.
     *
     * @throws NotFound when the tenant has no such store
     */
    public void delete(String tenant, String storeId) {
        VectorStore store = get(tenant, storeId);
        if (!records.deleteStore(tenant, store.id())) {
            throw storeNotFound(storeId);
        }
        index.drop(store.id());
    }

    /**
     * Adds a file to the store and waits until it is embedded: the answer is the completed file, searchable from now.
     *
     * @throws NotFound        when the tenant has no such store (or it is deleted meanwhile)
     * @throws InvalidRequest  when the document breaks a limit (content blank, chunking out of bounds, ...)
     * @throws GatewayError    413 when the content is too large; 409 when the store's vectors come from another
     *                         model; 503 when embedding failed (the file is then recorded {@code failed})
     */
    public VectorFile addFile(String tenant, String storeId, Document document) {
        Ingest ingest = begin(tenant, storeId, document);
        ingest.run(true);
        return records.findFile(ingest.store.id(), ingest.file.id()).orElseThrow(() -> fileNotFound(ingest.file.id()));
    }

    /**
     * Adds a file to the store and embeds it in the background; the answer is the file {@code in_progress}, whose
     * progress {@link #file} shows. Refused as {@link #addFile} is, before anything is embedded.
     */
    public VectorFile startFile(String tenant, String storeId, Document document) {
        Ingest ingest = begin(tenant, storeId, document);
        background.execute(() -> ingest.run(false));
        return ingest.file;
    }

    /**
     * One file of the store, with its status and progress.
     *
     * @throws NotFound when the tenant has no such store, or the store no such file
     */
    public VectorFile file(String tenant, String storeId, String fileId) {
        VectorStore store = get(tenant, storeId);
        Objects.requireNonNull(fileId, "fileId");
        if (!FILE_ID.matcher(fileId).matches()) {
            throw fileNotFound(fileId);
        }
        return records.findFile(store.id(), fileId).orElseThrow(() -> fileNotFound(fileId));
    }

    /** A page of the store's files. */
    public Page<VectorFile> files(String tenant, String storeId, PageRequest page) {
        return records.listFiles(get(tenant, storeId).id(), page);
    }

    /**
     * Deletes one file of the store with its chunks; an ingest still running for it stops.
     *
     * @throws NotFound when the tenant has no such store, or the store no such file
     */
    public void deleteFile(String tenant, String storeId, String fileId) {
        VectorFile file = file(tenant, storeId, fileId);
        OptionalLong version = records.deleteFile(file.storeId(), file.id());
        if (version.isEmpty()) {
            throw fileNotFound(fileId);
        }
        index.deleted(file.storeId(), version.getAsLong(), file);
    }

    /**
     * The chunks of the store's completed files nearest in meaning to {@code query}, best first.
     *
     * @param maxResults     how many at most, 1 to {@value #MAX_RESULTS}
     * @param scoreThreshold the least cosine similarity a result has, 0 to 1; 0 sets no minimum
     * @throws NotFound       when the tenant has no such store
     * @throws InvalidRequest when the query is blank or a number is out of bounds
     * @throws GatewayError   413 when the query is longer than {@value #MAX_QUERY_LENGTH} characters; 409 when the
     *                        store's vectors come from another model
     */
    public List<SearchHit> search(String tenant, String storeId, String query, int maxResults, double scoreThreshold) {
        Objects.requireNonNull(query, "query");
        if (query.isBlank()) {
            throw new InvalidRequest("'query' must not be empty", "invalid_value", "query");
        }
        if (query.length() > MAX_QUERY_LENGTH) {
            throw new TooLarge("'query' is longer than " + MAX_QUERY_LENGTH + " characters", "query");
        }
        if (maxResults < 1 || maxResults > MAX_RESULTS) {
            throw new InvalidRequest("'max_results' must be 1 to " + MAX_RESULTS, "invalid_value", "max_results");
        }
        if (!(scoreThreshold >= 0 && scoreThreshold <= 1)) {
            throw new InvalidRequest("'score_threshold' must be 0 to 1", "invalid_value", "score_threshold");
        }
        VectorStore store = get(tenant, storeId);
        requireModel(store);
        float[] vector = embedder.embed(storable(query));
        double minScore = scoreThreshold == 0 ? -1 : scoreThreshold;
        List<VectorIndex.Match> matches = index.search(store.id(), store.version(), vector, maxResults, minScore);
        if (matches.isEmpty()) {
            return List.of();
        }
        List<ChunkId> ids = matches.stream().map(match -> StoreIndex.chunkId(match.id())).toList();
        Map<ChunkId, ChunkText> texts = new HashMap<>();
        records.chunkTexts(store.id(), ids).forEach(text -> texts.put(text.id(), text));
        List<SearchHit> hits = new ArrayList<>(matches.size());
        for (int i = 0; i < matches.size(); i++) {
            ChunkText text = texts.get(ids.get(i));
            if (text != null) { // its file was deleted since the index was read
                hits.add(new SearchHit(text.id().fileId(), text.filename(), text.id().index(), text.text(),
                        matches.get(i).score()));
            }
        }
        return hits;
    }

    /**
     * Catches the index up with the records (loads the stores changed elsewhere, forgets deleted ones) and fails the
     * files whose ingest stopped moving more than {@link Builder#staleAfter} ago. Runs in the background every
     * {@link Builder#refreshEvery}; call it to catch up at once.
     */
    public void refresh() {
        index.catchUp(records.versions(), embedder.model());
        int stale = records.failStaleFiles(clock.instant().minus(staleAfter), INTERRUPTED, clock.instant());
        if (stale > 0) {
            LOG.log(System.Logger.Level.WARNING, stale + " vector store file(s) stopped in progress for more than "
                    + staleAfter + " and are marked failed");
        }
    }

    /** How many chunks the index holds for the store (0 when it has not loaded it yet): for tests and figures. */
    int indexedChunks(String storeId) {
        return index.size(storeId);
    }

    /** The version of the store the index holds, if it holds the store. */
    OptionalLong indexedVersion(String storeId) {
        return index.version(storeId);
    }

    /**
     * Stops the background refresh and background ingests: each stops at its next batch and is recorded
     * {@code failed}. Waits for them a few seconds. Does not close the records, the embedder or the index.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (refresher != null) {
            refresher.interrupt();
        }
        background.shutdown();
        try {
            if (!background.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "vector store ingests still running at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Checks the call, cuts the document and records the file in progress. */
    private Ingest begin(String tenant, String storeId, Document document) {
        Objects.requireNonNull(document, "document");
        if (closed.get()) {
            throw new IllegalStateException("the vector stores are closed");
        }
        VectorStore store = get(tenant, storeId);
        long bytes = document.content().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxFileBytes) {
            throw new TooLarge("'content' is " + bytes + " bytes; a file holds at most " + maxFileBytes, "content");
        }
        if (document.content().isBlank()) {
            throw new InvalidRequest("'content' must not be empty", "invalid_value", "content");
        }
        if (document.chunkSize() < MIN_CHUNK_SIZE || document.chunkSize() > MAX_CHUNK_SIZE) {
            throw new InvalidRequest("'chunk_size' must be " + MIN_CHUNK_SIZE + " to " + MAX_CHUNK_SIZE + " characters",
                    "invalid_value", "chunk_size");
        }
        if (document.chunkOverlap() < 0 || document.chunkOverlap() > document.chunkSize() / 2) {
            throw new InvalidRequest("'chunk_overlap' must be 0 to half of chunk_size (" + document.chunkSize() / 2
                    + "), so that it stays below chunk_size", "invalid_value", "chunk_overlap");
        }
        checkText("filename", document.filename(), MAX_FILENAME_LENGTH);
        checkMetadata(document.metadata());
        requireModel(store);
        List<String> chunks = Chunker.split(storable(document.content()), document.chunkSize(),
                document.chunkOverlap());
        if (chunks.size() > MAX_CHUNKS_PER_FILE) {
            throw new TooLarge("'content' makes " + chunks.size() + " chunks of " + document.chunkSize()
                    + " characters; a file has at most " + MAX_CHUNKS_PER_FILE, "content");
        }
        VectorFile file = VectorFile.started(newId("vf_"), store.id(), document.filename(), document.metadata(), bytes,
                chunks.size(), clock.instant());
        if (!records.addFile(file)) {
            throw storeNotFound(storeId);
        }
        return new Ingest(store, file, chunks);
    }

    /** One file's embedding, batch by batch. */
    private final class Ingest {
        private final VectorStore store;
        private final VectorFile file;
        private final List<String> chunks;

        Ingest(VectorStore store, VectorFile file, List<String> chunks) {
            this.store = store;
            this.file = file;
            this.chunks = chunks;
        }

        /** Embeds and stores every chunk, then completes the file; {@code waiting}: the caller waits for the end. */
        void run(boolean waiting) {
            List<ChunkVector> vectors = new ArrayList<>(chunks.size());
            try {
                for (int from = 0; from < chunks.size(); from += batchSize) {
                    if (closed.get() && !waiting) {
                        records.failFile(file.id(), INTERRUPTED, clock.instant());
                        return;
                    }
                    List<String> texts = chunks.subList(from, Math.min(chunks.size(), from + batchSize));
                    List<float[]> embedded = embedder.embedAll(texts);
                    if (embedded.size() != texts.size()) {
                        throw new IllegalStateException("the embedder answered " + embedded.size() + " vectors for "
                                + texts.size() + " texts");
                    }
                    List<VectorChunk> batch = new ArrayList<>(texts.size());
                    for (int i = 0; i < texts.size(); i++) {
                        batch.add(new VectorChunk(file.id(), from + i, texts.get(i), embedded.get(i)));
                        vectors.add(new ChunkVector(new ChunkId(file.id(), from + i), embedded.get(i)));
                    }
                    if (!records.appendChunks(file.id(), batch, clock.instant())) {
                        return; // deleted meanwhile, with its store or alone
                    }
                }
                OptionalLong version = records.completeFile(file.id(), clock.instant());
                if (version.isPresent()) {
                    index.completed(store.id(), version.getAsLong(), vectors);
                }
            } catch (RuntimeException e) {
                String reason = "the file could not be embedded and stored (" + e.getClass().getSimpleName() + ")";
                LOG.log(System.Logger.Level.WARNING, "vector store file " + file.id() + ": " + reason, e);
                try {
                    records.failFile(file.id(), reason, clock.instant());
                } catch (RuntimeException failed) {
                    e.addSuppressed(failed);
                }
                if (waiting) {
                    if (e instanceof SmartflowException known) {
                        throw known;
                    }
                    throw GatewayError.of(503, "server_error", "embedding_failed", reason
                            + "; it is recorded as failed");
                }
            }
        }
    }

    private void requireModel(VectorStore store) {
        if (!store.embeddingModel().equals(embedder.model())) {
            throw GatewayError.of(409, "invalid_request_error", "embedding_model_mismatch", "vector store "
                    + store.id() + " holds vectors of the model " + store.embeddingModel() + ", but the gateway embeds "
                    + "with " + embedder.model() + "; create a new store and add its files again");
        }
    }

    private void refreshUntilClosed(Duration every) {
        while (!closed.get()) {
            try {
                refresh();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "catching the vector index up with the database failed; "
                        + "searches load their store themselves meanwhile", e);
            }
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void checkText(String field, String text, int maxLength) {
        VirtualKeys.textProblem(text, maxLength).ifPresent(problem -> {
            throw new InvalidRequest("'" + field + "' " + problem, "invalid_value", field);
        });
    }

    private static void checkMetadata(Map<String, String> metadata) {
        if (metadata.size() > MAX_METADATA_PAIRS) {
            throw new InvalidRequest("'metadata' has more than " + MAX_METADATA_PAIRS + " pairs", "invalid_value",
                    "metadata");
        }
        metadata.forEach((key, value) -> {
            if (key.isEmpty()) {
                throw new InvalidRequest("'metadata' keys must not be empty", "invalid_value", "metadata");
            }
            checkText("metadata", key, MAX_METADATA_KEY_LENGTH);
            checkText("metadata." + safeName(key), value, MAX_METADATA_VALUE_LENGTH);
        });
    }

    /** A metadata key as it may appear in a {@code param}: it is the caller's text, so only when plain. */
    private static String safeName(String key) {
        return key.matches("[A-Za-z0-9_.-]{1,64}") ? key : "*";
    }

    /** The text with NUL and unpaired surrogates, which databases cannot keep alike, as U+FFFD. */
    static String storable(String text) {
        StringBuilder kept = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            boolean bad = c == 0 || !pair && Character.isSurrogate(c);
            if (bad && kept == null) {
                kept = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (kept != null) {
                kept.append(bad ? REPLACEMENT : c);
                if (pair) {
                    kept.append(text.charAt(i + 1));
                }
            }
            if (pair) {
                i++;
            }
        }
        return kept == null ? text : kept.toString();
    }

    private static String newId(String prefix) {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    static NotFound storeNotFound(String storeId) {
        return new NotFound("No vector store found with id '" + shown(storeId, STORE_ID) + "'",
                "vector_store_not_found");
    }

    static NotFound fileNotFound(String fileId) {
        return new NotFound("No file found with id '" + shown(fileId, FILE_ID) + "' in this vector store",
                "file_not_found");
    }

    /** An id as an error may repeat it: only when it has the shape of one; it comes from the caller. */
    private static String shown(String id, Pattern shape) {
        return shape.matcher(id).matches() ? id : "…";
    }

    /** Input over a limit: HTTP 413, naming the field. */
    static final class TooLarge extends GatewayError {
        TooLarge(String message, String param) {
            super(413, "invalid_request_error", "request_too_large", message, param, Headers.EMPTY, null);
        }
    }

    /** Configures {@link VectorStores}; {@link #build()} starts them. Not thread-safe. */
    public static final class Builder {
        private final VectorStoreRecords records;
        private final Embedder embedder;
        private VectorIndex index;
        private InstantSource clock = InstantSource.system();
        private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration staleAfter = DEFAULT_STALE_AFTER;
        private Duration refreshEvery = DEFAULT_REFRESH_EVERY;

        private Builder(VectorStoreRecords records, Embedder embedder) {
            this.records = Objects.requireNonNull(records, "records");
            this.embedder = Objects.requireNonNull(embedder, "embedder");
        }

        /** The in-memory index searches run on; a fresh {@link FlatVectorIndex} by default. */
        public Builder index(VectorIndex value) {
            this.index = Objects.requireNonNull(value, "index");
            return this;
        }

        /** Where creation and progress times come from; the system clock by default. */
        public Builder clock(InstantSource value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * The largest file, in bytes of UTF-8 ({@value #DEFAULT_MAX_FILE_BYTES} by default); larger content is a 413.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder maxFileBytes(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxFileBytes must be positive: " + value);
            }
            this.maxFileBytes = value;
            return this;
        }

        /**
         * How many chunks are embedded in one call of the embedder, and stored (with the progress) at once
         * ({@value #DEFAULT_BATCH_SIZE} by default).
         *
         * @throws IllegalArgumentException when not 1 to 1024
         */
        public Builder batchSize(int value) {
            if (value < 1 || value > 1024) {
                throw new IllegalArgumentException("batchSize must be 1 to 1024: " + value);
            }
            this.batchSize = value;
            return this;
        }

        /**
         * How long a file may stay in progress without a batch stored before {@link #refresh} fails it as
         * interrupted (10 minutes by default).
         */
        public Builder staleAfter(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("staleAfter must be positive: " + value);
            }
            this.staleAfter = value;
            return this;
        }

        /**
         * How often the index catches up with the database in the background (30 seconds by default), the first time
         * at {@link #build()}; {@link Duration#ZERO} for never (searches still load what they need).
         */
        public Builder refreshEvery(Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("refreshEvery must not be negative: " + value);
            }
            this.refreshEvery = value;
            return this;
        }

        public VectorStores build() {
            if (index == null) {
                index = new FlatVectorIndex();
            }
            return new VectorStores(this);
        }
    }
}
