package dev.smartflow.compliance.intel;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.smartflow.core.spi.Embedder;
import dev.smartflow.core.spi.SharedState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Layer 2: how close content is, in meaning, to known violation patterns, per category. Patterns are the shipped
 * seeds ({@link SeedPatterns}, embedded once when first needed) and, per tenant, patterns learned from feedback (a
 * scan confirmed as a violation adds its content's vector to its category). Vectors come from the shared
 * {@link Embedder} (the cache module's ONNX model by default); the content embedded is the redacted text, so no value
 * reaches an embedding provider.
 *
 * <p>A category matches when its closest pattern's cosine similarity reaches {@link #THRESHOLD}; confidence rises
 * linearly from 0 there to 1 at {@link #FULL}. Feedback marking a category's matches false positives damps that
 * category for the tenant.
 *
 * <p>Learned patterns live in the shared state ({@code compliance:ml:learned:<tenant>}: pattern id to category and
 * base64 vector) and are read into memory per tenant for a few seconds at a time. Thread-safe.
 */
public final class SimilarityLayer {
    static final double THRESHOLD = 0.45;
    static final double FULL = 0.75;
    private static final String LEARNED = "compliance:ml:learned:";
    private static final String STATS = "compliance:ml:stats";
    /** Which tenants have learned patterns, for {@link #stats()}. */
    private static final String LEARNED_INDEX = "compliance:ml:learned-tenants";

    private final Embedder embedder;
    private final SharedState state;
    private final ReentrantLock seeding = new ReentrantLock();
    private volatile List<Pattern> seeds;
    private final Cache<String, List<Pattern>> learned = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofSeconds(5)).build();

    public SimilarityLayer(Embedder embedder, SharedState state) {
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.state = Objects.requireNonNull(state, "state");
    }

    private record Pattern(String category, float[] vector, boolean learned) {
    }

    /** Whether vectors can be had now without waiting for the model. */
    public boolean available() {
        return embedder.ready();
    }

    public String model() {
        return embedder.model();
    }

    /**
     * The content's vector (waiting for the model to load if it must), or empty when the model failed to load: layer
     * 2 is then skipped, and the scan says so.
     */
    public Optional<float[]> embed(String content) {
        try {
            return Optional.of(embedder.embed(content.length() > 4000 ? content.substring(0, 4000) : content));
        } catch (IllegalStateException unavailable) {
            return Optional.empty();
        }
    }

    /** The categories {@code vector} matches for {@code tenant}, best first, damped by the tenant's feedback. */
    public List<MlMatch> match(String tenant, float[] vector, Map<String, Double> damping) {
        Map<String, MlMatch> best = new TreeMap<>();
        List<Pattern> all = new ArrayList<>(seeds());
        all.addAll(learned(tenant));
        for (Pattern pattern : all) {
            double similarity = Vectors.dot(vector, pattern.vector());
            if (similarity < THRESHOLD) {
                continue;
            }
            double confidence = Math.min(1.0, (similarity - THRESHOLD) / (FULL - THRESHOLD));
            confidence *= 1 - damping.getOrDefault(pattern.category(), 0.0);
            MlMatch match = new MlMatch(pattern.category(), round(similarity), round(confidence), pattern.learned());
            MlMatch known = best.get(pattern.category());
            if (known == null || match.similarity() > known.similarity()) {
                best.put(pattern.category(), match);
            }
        }
        List<MlMatch> matches = new ArrayList<>(best.values());
        matches.sort(Comparator.comparingDouble(MlMatch::similarity).reversed());
        for (MlMatch match : matches) {
            state.hashIncrement(STATS, "matches", 1);
            state.hashIncrement(STATS, "confidence_micros", Math.round(match.confidence() * 1_000_000));
        }
        state.hashIncrement(STATS, "scans", 1);
        return matches;
    }

    /** Adds {@code vector} to {@code tenant}'s patterns of {@code category}; returns the pattern's id. */
    public String learn(String tenant, String category, float[] vector, String id) {
        state.hashPut(LEARNED + tenant, id, category + "|" + Vectors.encode(vector));
        state.hashPut(LEARNED_INDEX, tenant, "1");
        learned.invalidate(tenant);
        return id;
    }

    /** The figures of {@code get_ml_stats}. */
    public Stats stats() {
        Map<String, String> counters = state.hashGetAll(STATS);
        long matches = parse(counters.get("matches"));
        long confidence = parse(counters.get("confidence_micros"));
        long learnedCount = 0;
        Map<String, Long> perCategory = new TreeMap<>();
        SeedPatterns.BY_CATEGORY.forEach((category, texts) -> perCategory.put(category, (long) texts.size()));
        for (Map.Entry<String, String> tenant : state.hashGetAll(LEARNED_INDEX).entrySet()) {
            for (String value : state.hashGetAll(LEARNED + tenant.getKey()).values()) {
                learnedCount++;
                perCategory.merge(value.substring(0, value.indexOf('|')), 1L, Long::sum);
            }
        }
        int seedCount = SeedPatterns.BY_CATEGORY.values().stream().mapToInt(List::size).sum();
        return new Stats(seedCount + learnedCount, seedCount, learnedCount,
                matches == 0 ? 0 : confidence / 1_000_000.0 / matches, parse(counters.get("scans")), matches,
                perCategory);
    }

    /** The ML engine's figures. */
    public record Stats(long totalPatterns, long seedPatterns, long learnedPatterns, double averageConfidence,
                        long scans, long matches, Map<String, Long> categories) {
    }

    private List<Pattern> seeds() {
        List<Pattern> ready = seeds;
        if (ready != null) {
            return ready;
        }
        seeding.lock();
        try {
            if (seeds == null) {
                List<Pattern> made = new ArrayList<>();
                for (Map.Entry<String, List<String>> entry : new TreeMap<>(SeedPatterns.BY_CATEGORY).entrySet()) {
                    List<float[]> vectors = embedder.embedAll(entry.getValue());
                    for (float[] vector : vectors) {
                        made.add(new Pattern(entry.getKey(), vector, false));
                    }
                }
                seeds = List.copyOf(made);
            }
            return seeds;
        } finally {
            seeding.unlock();
        }
    }

    private List<Pattern> learned(String tenant) {
        return learned.get(tenant, t -> {
            List<Pattern> patterns = new ArrayList<>();
            for (String value : state.hashGetAll(LEARNED + t).values()) {
                int bar = value.indexOf('|');
                if (bar > 0) {
                    patterns.add(new Pattern(value.substring(0, bar), Vectors.decode(value.substring(bar + 1)), true));
                }
            }
            return List.copyOf(patterns);
        });
    }

    private static long parse(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
