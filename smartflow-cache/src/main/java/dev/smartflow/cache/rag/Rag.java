package dev.smartflow.cache.rag;

import dev.smartflow.core.spi.VectorFile;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The RAG pipeline on top of {@link VectorStores}: ingest a document into a store, then retrieve the chunks that
 * answer a question, with a context string ready to put in a model's system prompt. The server's
 * {@code POST /v1/rag/ingest} and {@code POST /v1/rag/query} are this class over HTTP.
 *
 * <pre>{@code
 * Rag rag = new Rag(stores);
 * rag.ingest(tenant, store.id(), Document.of(report).withFilename("report-q4.txt"));
 * Rag.Answer answer = rag.query(tenant, RagQuery.of(store.id(), "What were the Q4 revenue figures?"));
 * String system = "Answer from these sources:\n\n" + answer.context().orElse("");
 * }</pre>
 *
 * <p>Thread-safe; fails as {@link VectorStores} does.
 */
public final class Rag {
    private final VectorStores stores;

    public Rag(VectorStores stores) {
        this.stores = Objects.requireNonNull(stores, "stores");
    }

    /** Chunks, embeds and stores {@code document} in the store, waiting until it is searchable. */
    public Ingested ingest(String tenant, String storeId, Document document) {
        return Ingested.of(stores.addFile(tenant, storeId, document));
    }

    /** As {@link #ingest}, embedding in the background: the answer is {@code in_progress} with nothing embedded yet. */
    public Ingested startIngest(String tenant, String storeId, Document document) {
        return Ingested.of(stores.startFile(tenant, storeId, document));
    }

    /** The chunks nearest to the question, best first, and when asked their context string. */
    public Answer query(String tenant, RagQuery query) {
        Objects.requireNonNull(query, "query");
        List<SearchHit> chunks = stores.search(tenant, query.vectorStoreId(), query.query(), query.maxResults(),
                query.scoreThreshold());
        return new Answer(chunks, query.includeContext() ? Optional.of(context(chunks)) : Optional.empty());
    }

    /**
     * The chunks as one text for a prompt: each numbered in order, with its file's name when it has one, separated by
     * blank lines:
     *
     * <pre>
     * [1] architecture.md
     * The cache has three tiers...
     *
     * [2] report-q4.txt
     * Revenue grew 12%...
     * </pre>
     */
    public static String context(List<SearchHit> chunks) {
        StringBuilder context = new StringBuilder();
        for (int i = 0; i < chunks.size(); i++) {
            SearchHit hit = chunks.get(i);
            context.append(i == 0 ? "" : "\n\n").append('[').append(i + 1).append(']')
                    .append(hit.filename().isEmpty() ? "" : " " + hit.filename()).append('\n').append(hit.content());
        }
        return context.toString();
    }

    /**
     * What an ingest did.
     *
     * @param storeId       the store
     * @param fileId        the file made of the document
     * @param chunksCreated the chunks embedded and stored so far (all of them once completed)
     * @param chunksTotal   the chunks the document was cut into
     * @param status        {@code completed}, or {@code in_progress} for an ingest in the background
     */
    public record Ingested(String storeId, String fileId, int chunksCreated, int chunksTotal,
                           VectorFile.Status status) {
        public Ingested {
            Objects.requireNonNull(storeId, "storeId");
            Objects.requireNonNull(fileId, "fileId");
            Objects.requireNonNull(status, "status");
        }

        static Ingested of(VectorFile file) {
            return new Ingested(file.storeId(), file.id(), file.chunksEmbedded(), file.chunkCount(), file.status());
        }
    }

    /**
     * What a query found.
     *
     * @param chunks  the chunks, best first
     * @param context the chunks as one text ({@link #context(List)}), when asked for
     */
    public record Answer(List<SearchHit> chunks, Optional<String> context) {
        public Answer {
            chunks = List.copyOf(chunks);
            Objects.requireNonNull(context, "context");
        }

        public int total() {
            return chunks.size();
        }
    }
}
