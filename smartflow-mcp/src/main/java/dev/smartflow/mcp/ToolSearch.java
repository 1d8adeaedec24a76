package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.spi.Embedder;
import dev.smartflow.core.spi.VectorIndex;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Semantic search over the tool catalog, on the shared {@link Embedder} and a {@link VectorIndex}: each tool is
 * embedded as {@code "<name>: <description> (<server name>)"} and kept in the namespace {@value #NAMESPACE} under its
 * qualified name ({@code server_id.tool}). The index follows the catalog: after every change the tools whose text
 * changed are embedded again (behind the caller; a tool's text that did not change is not embedded twice) and tools
 * that are gone are removed. A search embeds the query, ranks every indexed tool by cosine similarity and answers the
 * best {@code k} among those the caller may use, so a key never learns of a tool it cannot call.
 *
 * <p>Thread-safe. One re-index runs at a time; changes that arrive meanwhile are taken up by one more run.
 */
final class ToolSearch implements AutoCloseable {
    static final String NAMESPACE = "mcp-tools";
    private static final System.Logger LOG = System.getLogger(ToolSearch.class.getName());

    /** What the index holds for one tool: the text embedded and when. */
    private record Indexed(String serverId, String name, String text, Instant at) {
    }

    private final Supplier<Embedder> embedders;
    private volatile Embedder embedder;
    private final ReentrantLock opening = new ReentrantLock();
    private final VectorIndex index;
    private final InstantSource clock;
    private final Executor background;
    private final Supplier<List<McpApi.VisibleTool>> everything;
    private final Map<String, Indexed> indexed = new ConcurrentHashMap<>();
    private final ReentrantLock reindexing = new ReentrantLock();
    private final AtomicBoolean again = new AtomicBoolean();

    /**
     * @param embedders  makes the embedder, at the first search: a gateway nobody searches loads no model
     * @param everything every tool of every server (as the master key sees them), for the index
     */
    ToolSearch(Supplier<Embedder> embedders, VectorIndex index, InstantSource clock, Executor background,
               Supplier<List<McpApi.VisibleTool>> everything) {
        this.embedders = Objects.requireNonNull(embedders, "embedders");
        this.index = Objects.requireNonNull(index, "index");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.background = Objects.requireNonNull(background, "background");
        this.everything = Objects.requireNonNull(everything, "everything");
    }

    /** The catalog changed: bring the index up to date behind the caller, once anyone has searched. */
    void catalogChanged() {
        if (embedder != null) {
            again.set(true);
            background.execute(this::reindex);
        }
    }

    private Embedder embedder() {
        Embedder current = embedder;
        if (current != null) {
            return current;
        }
        opening.lock();
        try {
            if (embedder == null) {
                embedder = embedders.get();
            }
            return embedder;
        } finally {
            opening.unlock();
        }
    }

    /** Brings the index up to date now (the search API does it first, so a search sees the catalog it lists). */
    void reindex() {
        reindexing.lock();
        try {
            again.set(false);
            Map<String, McpApi.VisibleTool> current = new HashMap<>();
            for (McpApi.VisibleTool tool : everything.get()) {
                current.put(tool.qualifiedName(), tool);
            }
            List<String> ids = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            for (Map.Entry<String, McpApi.VisibleTool> entry : current.entrySet()) {
                String text = text(entry.getValue());
                Indexed known = indexed.get(entry.getKey());
                if (known == null || !known.text().equals(text)) {
                    ids.add(entry.getKey());
                    texts.add(text);
                }
            }
            if (!texts.isEmpty()) {
                List<float[]> vectors = embedder().embedAll(texts);
                Instant now = clock.instant();
                for (int i = 0; i < ids.size(); i++) {
                    McpApi.VisibleTool tool = current.get(ids.get(i));
                    index.put(NAMESPACE, ids.get(i), vectors.get(i), Map.of("server_id", tool.server().id(),
                            "tool", tool.name()));
                    indexed.put(ids.get(i), new Indexed(tool.server().id(), tool.name(), texts.get(i), now));
                }
            }
            Set<String> gone = new HashSet<>(indexed.keySet());
            gone.removeAll(current.keySet());
            for (String id : gone) {
                index.remove(NAMESPACE, id);
                indexed.remove(id);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "indexing the MCP tool catalog failed: " + e.getMessage());
        } finally {
            reindexing.unlock();
        }
        if (again.get()) {
            background.execute(this::reindex);
        }
    }

    private static String text(McpApi.VisibleTool tool) {
        String description = tool.tool().path("description").asText("");
        String title = tool.tool().path("title").asText("");
        return tool.name() + (title.isEmpty() ? "" : " (" + title + ")") + ": " + description + " ("
                + tool.server().definition().name() + ")";
    }

    /** The best {@code k} tools for {@code query} among those {@code principal} may use. */
    ObjectNode search(Principal principal, String query, int k,
                      Function<Principal, List<McpApi.VisibleTool>> visible) {
        reindex();
        Map<String, McpApi.VisibleTool> allowed = new HashMap<>();
        visible.apply(principal).forEach(tool -> allowed.put(tool.qualifiedName(), tool));
        float[] vector = embedder().embed(query);
        List<VectorIndex.Match> matches = index.search(NAMESPACE, vector, Math.max(k, index.size(NAMESPACE)), -1.0);
        ObjectNode answer = ApiJson.success().put("query", query).put("k", k);
        ArrayNode results = answer.putArray("results");
        for (VectorIndex.Match match : matches) {
            McpApi.VisibleTool tool = allowed.get(match.id());
            if (tool == null) {
                continue;
            }
            results.addObject().put("server_id", tool.server().id()).put("name", tool.name())
                    .put("qualified_name", tool.qualifiedName())
                    .put("description", tool.tool().path("description").asText(""))
                    .put("score", Math.round(match.score() * 10_000) / 10_000.0);
            if (results.size() >= k) {
                break;
            }
        }
        answer.put("total", results.size());
        return answer;
    }

    /** The indexed tools the caller may use, with what was embedded for each. */
    ObjectNode index(Principal principal, Function<Principal, List<McpApi.VisibleTool>> visible) {
        reindex();
        Embedder model = embedder();
        ObjectNode answer = ApiJson.success().put("model", model.model()).put("dimensions", model.dimensions())
                .put("namespace", NAMESPACE);
        ArrayNode tools = answer.putArray("tools");
        for (McpApi.VisibleTool tool : visible.apply(principal)) {
            Indexed entry = indexed.get(tool.qualifiedName());
            if (entry == null) {
                continue;
            }
            tools.addObject().put("server_id", entry.serverId()).put("name", entry.name())
                    .put("qualified_name", tool.qualifiedName())
                    .put("description", tool.tool().path("description").asText(""))
                    .put("embedded_text", entry.text()).put("indexed_at", entry.at().toString());
        }
        answer.put("total", tools.size());
        return answer;
    }

    @Override
    public void close() {
        index.clear(NAMESPACE);
        if (embedder != null) {
            embedder.close();
        }
    }
}
