package dev.smartflow.core.spi;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.LongUnaryOperator;

/**
 * What the audit log says about a time range ({@link AuditLog#analytics}): request volume, errors, cache hits, tokens
 * and cost, broken down by provider, model, virtual key, user and UTC day, with latency percentiles.
 *
 * <pre>{@code
 * AuditAnalytics week = audit.analytics(now.minus(Duration.ofDays(7)), now, 10);
 * double errorRate = week.errorRate();                        // 0 when the range holds no request
 * long p99 = week.latency().p99Micros();
 * week.topKeys().forEach(k -> System.out.println(k.id() + ": " + k.requests()));
 * }</pre>
 *
 * <p><b>Definitions</b>, the same for every implementation so that they agree to the unit:
 * <ul>
 *   <li>a request is an error when it {@link AuditRecord#failed() failed} (status 400 or above), and cached when the
 *       cache answered it;</li>
 *   <li>{@link #providers()} holds every provider with a request in the range, by {@link #PROVIDERS_BY_COST};</li>
 *   <li>{@link #models()} holds the {@code top} (provider, model) pairs by {@link #MODELS_BY_COST} (where the money
 *       went), {@link #topModels()} the {@code top} by {@link #MODELS_BY_REQUESTS} (what is used most); both are
 *       bounded because the model of a refused request is whatever the caller sent;</li>
 *   <li>{@link #topKeys()} and {@link #topUsers()} hold the {@code top} callers by requests, then cost, then id
 *       ({@link #CALLERS_BY_REQUESTS}); requests without a key (or a user) are in no entry;</li>
 *   <li>{@link #days()} holds each UTC day of the range with at least one request, oldest first;</li>
 *   <li>latency percentiles are nearest-rank, see {@link Latency}.</li>
 * </ul>
 * Names tie-break in {@link String#compareTo} order. An empty range gives zeros, empty lists and rates of 0.
 *
 * @param from             the first microsecond of the range (inclusive)
 * @param to               the end of the range (exclusive); not before {@code from}
 * @param requests         how many requests
 * @param errors           how many failed
 * @param cached           how many the cache answered
 * @param promptTokens     tokens in, summed
 * @param completionTokens tokens out, summed
 * @param costMicros       the cost, in micro-USD
 * @param latency          the latency percentiles
 * @param providers        every provider's figures
 * @param models           the costliest models
 * @param topModels        the most used models
 * @param topKeys          the virtual keys with the most requests
 * @param topUsers         the users with the most requests
 * @param days             the figures of each UTC day with requests
 */
public record AuditAnalytics(Instant from, Instant to, long requests, long errors, long cached, long promptTokens,
                             long completionTokens, long costMicros, Latency latency, List<ByProvider> providers,
                             List<ByModel> models, List<ByModel> topModels, List<ByCaller> topKeys,
                             List<ByCaller> topUsers, List<ByDay> days) {
    /** The largest {@code top} an implementation must accept. */
    public static final int MAX_TOP = 1_000;

    /** Providers by cost descending, then requests descending, then name. */
    public static final Comparator<ByProvider> PROVIDERS_BY_COST = Comparator
            .comparingLong(ByProvider::costMicros).reversed()
            .thenComparing(Comparator.comparingLong(ByProvider::requests).reversed())
            .thenComparing(ByProvider::provider);

    /** Models by cost descending, then requests descending, then provider, then model. */
    public static final Comparator<ByModel> MODELS_BY_COST = Comparator
            .comparingLong(ByModel::costMicros).reversed()
            .thenComparing(Comparator.comparingLong(ByModel::requests).reversed())
            .thenComparing(ByModel::provider)
            .thenComparing(ByModel::model);

    /** Models by requests descending, then cost descending, then provider, then model. */
    public static final Comparator<ByModel> MODELS_BY_REQUESTS = Comparator
            .comparingLong(ByModel::requests).reversed()
            .thenComparing(Comparator.comparingLong(ByModel::costMicros).reversed())
            .thenComparing(ByModel::provider)
            .thenComparing(ByModel::model);

    /** Requests descending, then cost descending, then id ascending. */
    public static final Comparator<ByCaller> CALLERS_BY_REQUESTS = Comparator.comparingLong(ByCaller::requests)
            .reversed()
            .thenComparing(Comparator.comparingLong(ByCaller::costMicros).reversed())
            .thenComparing(ByCaller::id);

    public AuditAnalytics {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("to " + to + " is before from " + from);
        }
        requireCounts(requests, errors, cached, promptTokens, completionTokens, costMicros);
        Objects.requireNonNull(latency, "latency");
        providers = List.copyOf(Objects.requireNonNull(providers, "providers"));
        models = List.copyOf(Objects.requireNonNull(models, "models"));
        topModels = List.copyOf(Objects.requireNonNull(topModels, "topModels"));
        topKeys = List.copyOf(Objects.requireNonNull(topKeys, "topKeys"));
        topUsers = List.copyOf(Objects.requireNonNull(topUsers, "topUsers"));
        days = List.copyOf(Objects.requireNonNull(days, "days"));
    }

    /** The analytics of a range without requests. */
    public static AuditAnalytics empty(Instant from, Instant to) {
        return new AuditAnalytics(from, to, 0, 0, 0, 0, 0, 0, Latency.ZERO, List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of());
    }

    /** Errors per request; 0 when there is no request. */
    public double errorRate() {
        return rate(errors, requests);
    }

    /** Cache hits per request; 0 when there is no request. */
    public double cacheHitRate() {
        return rate(cached, requests);
    }

    public long totalTokens() {
        return promptTokens + completionTokens;
    }

    private static double rate(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    private static void requireCounts(long requests, long errors, long cached, long promptTokens,
                                      long completionTokens, long costMicros) {
        if (requests < 0 || errors < 0 || cached < 0 || errors > requests || cached > requests) {
            throw new IllegalArgumentException("inconsistent counts: requests=" + requests + " errors=" + errors
                    + " cached=" + cached);
        }
        if (promptTokens < 0 || completionTokens < 0 || costMicros < 0) {
            throw new IllegalArgumentException("negative tokens or cost: prompt=" + promptTokens + " completion="
                    + completionTokens + " cost=" + costMicros);
        }
    }

    /** One provider's figures over the range; fields as in {@link AuditAnalytics}. */
    public record ByProvider(String provider, long requests, long errors, long cached, long promptTokens,
                             long completionTokens, long costMicros) {
        public ByProvider {
            Objects.requireNonNull(provider, "provider");
            requireCounts(requests, errors, cached, promptTokens, completionTokens, costMicros);
        }
    }

    /** One model's figures over the range; the model as its provider knows it. */
    public record ByModel(String provider, String model, long requests, long errors, long cached, long promptTokens,
                          long completionTokens, long costMicros) {
        public ByModel {
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(model, "model");
            requireCounts(requests, errors, cached, promptTokens, completionTokens, costMicros);
        }
    }

    /** A caller (a virtual key's id or a user id) with its requests and their cost. */
    public record ByCaller(String id, long requests, long costMicros) {
        public ByCaller {
            Objects.requireNonNull(id, "id");
            requireCounts(requests, 0, 0, 0, 0, costMicros);
        }
    }

    /** One UTC day's figures. */
    public record ByDay(LocalDate date, long requests, long errors, long cached, long costMicros) {
        public ByDay {
            Objects.requireNonNull(date, "date");
            requireCounts(requests, errors, cached, 0, 0, costMicros);
        }
    }

    /**
     * Latency percentiles, in microseconds, by the nearest-rank definition: among the {@code n} latencies of the range
     * sorted ascending, the {@code p}-th percentile is the one at 1-based rank {@code ceil(p * n / 100)}
     * ({@link #rank}). It is always a latency that occurred (no interpolation), and it is what PostgreSQL's
     * {@code PERCENTILE_DISC} returns; H2's {@code PERCENTILE_DISC} rounds differently, which is why the SQL store
     * ranks rows itself. All zero when the range holds no request.
     *
     * @param p50Micros the median
     * @param p90Micros the 90th percentile
     * @param p95Micros the 95th percentile
     * @param p99Micros the 99th percentile
     */
    public record Latency(long p50Micros, long p90Micros, long p95Micros, long p99Micros) {
        public static final Latency ZERO = new Latency(0, 0, 0, 0);
        /** The percentiles held, in the order of the components. */
        public static final List<Integer> PERCENTS = List.of(50, 90, 95, 99);

        public Latency {
            if (p50Micros < 0 || p50Micros > p90Micros || p90Micros > p95Micros || p95Micros > p99Micros) {
                throw new IllegalArgumentException("percentiles are not ascending and non-negative: " + p50Micros
                        + ", " + p90Micros + ", " + p95Micros + ", " + p99Micros);
            }
        }

        /** The 1-based rank of the {@code percent}-th percentile among {@code n >= 1} values: ceil(percent·n/100). */
        public static long rank(int percent, long n) {
            return (percent * n + 99) / 100;
        }

        /** The percentiles of latencies sorted ascending. */
        public static Latency of(long[] ascending) {
            return ofRanks(ascending.length, rank -> ascending[(int) rank - 1]);
        }

        /**
         * The percentiles of {@code n} latencies, given the latency at each 1-based rank that {@link #rank} names.
         */
        public static Latency ofRanks(long n, LongUnaryOperator atRank) {
            if (n == 0) {
                return ZERO;
            }
            return new Latency(atRank.applyAsLong(rank(50, n)), atRank.applyAsLong(rank(90, n)),
                    atRank.applyAsLong(rank(95, n)), atRank.applyAsLong(rank(99, n)));
        }
    }
}
