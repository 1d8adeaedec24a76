package dev.smartflow.cache.metacache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.cache.embed.EmbeddersProbe;
import dev.smartflow.cache.embed.OnnxEmbedder;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.Embedder;
import dev.smartflow.testkit.FakeClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The L2 evaluation of BENCHMARKS.md, on the real model: {@code semantic-eval.jsonl} holds labelled pairs (a stored
 * question, a new one, whether the stored answer is right for the new one): paraphrases that should hit, near misses
 * that must not (another entity, number, date, a negation, an antonym), and the same question under another system
 * prompt. For each threshold it reports the paraphrase hit rate and the wrong answers served as a share of hits, with
 * the guard and without it (similarity and context alone), writes the table to {@code target/metacache-eval.md}, and
 * holds the default threshold to the targets: wrong answers at most 1% of hits, paraphrase hit rate at least 50%.
 * It then replays every pair through a real pipeline at the default threshold and checks that the cache decided each
 * one exactly as the evaluation computed.
 *
 * <p>Run alone: {@code ./mvnw -pl smartflow-cache -am test -Dtest=SemanticEvaluationTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class SemanticEvaluationTest {
    static final double[] THRESHOLDS = {0.80, 0.82, 0.84, 0.86, 0.88, 0.90, 0.92, 0.94, 0.96, 0.98};
    private static OnnxEmbedder embedder;
    private static List<Pair> pairs;
    /** Written after the guard was settled and never used to tune it: how it does on phrasings it has not seen. */
    private static List<Pair> heldOut;
    private static Embedder embeddings;

    /** One labelled pair and what the cache computes for it. */
    record Pair(String kind, String category, String stored, String query, boolean hit, String storedSystem,
                String querySystem, double similarity, boolean sameContext, boolean guardAllows) {
        boolean served(double threshold, boolean guarded) {
            return sameContext && similarity >= threshold && (!guarded || guardAllows);
        }
    }

    @BeforeAll
    static void load() throws IOException {
        EmbeddersProbe.shared();
        embedder = OnnxEmbedder.builder(Path.of("target", "test-data").toAbsolutePath()).start();
        embeddings = new Remembering(embedder);
        pairs = read("/metacache/semantic-eval.jsonl");
        heldOut = read("/metacache/semantic-eval-heldout.jsonl");
    }

    private static List<Pair> read(String resource) throws IOException {
        List<Pair> read = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                SemanticEvaluationTest.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode json = Body.MAPPER.readTree(line);
                String stored = json.path("stored").asText();
                String query = json.path("query").asText();
                String storedSystem = json.path("stored_system").asText("You are a helpful assistant.");
                String querySystem = json.path("query_system").asText("You are a helpful assistant.");
                read.add(new Pair(json.path("kind").asText(), json.path("category").asText(), stored, query,
                        json.path("hit").asBoolean(), storedSystem, querySystem,
                        dot(embeddings.embed(stored), embeddings.embed(query)),
                        context(storedSystem, stored).equals(context(querySystem, query)),
                        Guard.allows(query, stored)));
            }
        }
        return read;
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    @Test
    void theDefaultThresholdMeetsTheTargetsAndTheTableIsWritten() throws IOException {
        assertTrue(pairs.size() >= 500, "at least 500 labelled pairs: " + pairs.size());
        StringBuilder table = new StringBuilder();
        table.append(table(pairs)).append("\n").append(breakdown(pairs, CacheSettings.DEFAULT_THRESHOLD));
        table.append("\nHeld-out set (").append(heldOut.size()).append(" pairs):\n\n").append(table(heldOut))
                .append("\n").append(breakdown(heldOut, CacheSettings.DEFAULT_THRESHOLD));
        Path out = Path.of("target", "metacache-eval.md");
        Files.writeString(out, table.toString());
        System.out.println(table);

        Figures chosen = figures(pairs, CacheSettings.DEFAULT_THRESHOLD, true);
        assertTrue(chosen.wrongShare() <= 0.01, "wrong answers " + chosen.wrong + " of " + chosen.hits + " hits");
        assertTrue(chosen.paraphraseHitRate() >= 0.5, "paraphrase hit rate " + chosen.paraphraseHitRate());
    }

    @Test
    void thePipelineDecidesEveryPairAsTheEvaluationComputed() throws Exception {
        try (Harness harness = new Harness(CacheSettings.DEFAULTS, null, null, new FakeUpstream(), new FakeClock(),
                embeddings)) {
            int i = 0;
            for (Pair pair : pairs) {
                String namespace = "eval-" + i++;
                harness.call(Harness.chat(pair.stored(), o -> system(o, pair.storedSystem())),
                        "x-smartflow-cache-namespace", namespace);
                Response answer = harness.call(Harness.chat(pair.query(), o -> system(o, pair.querySystem())),
                        "x-smartflow-cache-namespace", namespace);
                boolean exact = pair.stored().equals(pair.query()) && pair.sameContext();
                boolean expected = exact || pair.served(CacheSettings.DEFAULT_THRESHOLD, true);
                assertEquals(expected, "true".equals(Harness.header(answer, CacheStage.HIT)),
                        pair.stored() + " / " + pair.query());
            }
        }
    }

    private static String table(List<Pair> set) {
        StringBuilder table = new StringBuilder();
        table.append("| threshold | paraphrase hit rate | hits | wrong hits | wrong % of hits | precision "
                + "| without guard: paraphrase hit rate | without guard: wrong % of hits |\n");
        table.append("|---|---|---|---|---|---|---|---|\n");
        for (double threshold : THRESHOLDS) {
            Figures guarded = figures(set, threshold, true);
            Figures bare = figures(set, threshold, false);
            table.append(String.format(Locale.ROOT, "| %.2f | %.1f%% | %d | %d | %.2f%% | %.2f%% | %.1f%% | %.1f%% |%n",
                    threshold, 100 * guarded.paraphraseHitRate(), guarded.hits, guarded.wrong,
                    100 * guarded.wrongShare(), 100 * (1 - guarded.wrongShare()), 100 * bare.paraphraseHitRate(),
                    100 * bare.wrongShare()));
        }
        return table.toString();
    }

    private static String breakdown(List<Pair> set, double threshold) {
        Map<String, int[]> byCategory = new TreeMap<>();
        for (Pair pair : set) {
            int[] counts = byCategory.computeIfAbsent(pair.category(), c -> new int[3]);
            counts[0]++;
            counts[1] += pair.served(threshold, false) ? 1 : 0;
            counts[2] += pair.served(threshold, true) ? 1 : 0;
        }
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "At %.2f, by category (pairs; served without the guard; served with it):%n%n", threshold));
        text.append("| category | pairs | served without guard | served with guard |\n|---|---|---|---|\n");
        byCategory.forEach((category, counts) -> text.append(String.format(Locale.ROOT, "| %s | %d | %d | %d |%n",
                category, counts[0], counts[1], counts[2])));
        List<Pair> wrong = set.stream().filter(p -> !p.hit() && p.served(threshold, true)).toList();
        if (!wrong.isEmpty()) {
            text.append("\nWrong answers served:\n\n");
            wrong.forEach(p -> text.append(String.format(Locale.ROOT, "- %.3f \"%s\" for \"%s\"%n", p.similarity(),
                    p.stored(), p.query())));
        }
        return text.toString();
    }

    private static Figures figures(List<Pair> set, double threshold, boolean guarded) {
        Figures figures = new Figures();
        for (Pair pair : set) {
            boolean served = pair.served(threshold, guarded);
            if (pair.hit()) {
                figures.paraphrases++;
                figures.paraphraseHits += served ? 1 : 0;
            }
            if (served) {
                figures.hits++;
                figures.wrong += pair.hit() ? 0 : 1;
            }
        }
        return figures;
    }

    private static final class Figures {
        int paraphrases;
        int paraphraseHits;
        int hits;
        int wrong;

        double paraphraseHitRate() {
            return paraphrases == 0 ? 0 : (double) paraphraseHits / paraphrases;
        }

        double wrongShare() {
            return hits == 0 ? 0 : (double) wrong / hits;
        }
    }

    /** The model's vectors, each text embedded once: the replay checks decisions, not the model's speed. */
    private record Remembering(Embedder inner, Map<String, float[]> vectors) implements Embedder {
        Remembering(Embedder inner) {
            this(inner, new ConcurrentHashMap<>());
        }

        @Override
        public String model() {
            return inner.model();
        }

        @Override
        public int dimensions() {
            return inner.dimensions();
        }

        @Override
        public float[] embed(String text) {
            return vectors.computeIfAbsent(text, inner::embed);
        }

        @Override
        public List<float[]> embedAll(List<String> texts) {
            return texts.stream().map(this::embed).toList();
        }
    }

    private static ObjectNode system(ObjectNode body, String system) {
        ((ObjectNode) body.withArray("messages").get(0)).put("content", system);
        return body;
    }

    private static String context(String system, String question) {
        String body = Harness.chat(question, o -> system(o, system));
        return RequestKey.of(Operation.CHAT, "default|eval", Body.json(body), 1000).orElseThrow().context();
    }

    private static double dot(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }
}
