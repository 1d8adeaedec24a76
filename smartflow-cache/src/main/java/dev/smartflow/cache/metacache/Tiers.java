package dev.smartflow.cache.metacache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.smartflow.core.Ticker;
import dev.smartflow.core.spi.Embedder;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.VectorIndex;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The three places an answer is kept, and how they are searched and warmed.
 *
 * <p><b>L1</b> is this process's memory (Caffeine): bounded by {@code l1_max_entries}, least recently used out first,
 * each entry expiring at its own answer's expiry (read through the injected ticker and clock). <b>L3</b> is shared
 * state (Redis when instances share it): the compressed answer under {@code metacache:a:<key>} with the answer's TTL,
 * so every instance finds what any of them stored. <b>L2</b> is the vector index: one entry per stored semantic
 * question, its id the answer's exact key, its vector the last user turn's embedding, tagged with the context hash and
 * the expiry. An L2 match is only a pointer: the answer is read from L1 or L3, and a pointer whose answer is gone or
 * expired is removed when met (lazily; nothing scans the index).
 *
 * <p>Lookup order is L1, L3, L2; a hit in a lower tier warms the upper ones under the request's own exact key, with
 * the found answer's remaining lifetime (a warmed copy never outlives its source).
 *
 * <p><b>Registry.</b> To count entries and clear a namespace, every stored key is also listed in a hash per namespace
 * and expiry day ({@code metacache:reg:<namespace>:<day>}: field {@code <namespace>|<tenant>|<key>}, value the expiry
 * in epoch milliseconds), which itself expires the day after its entries, so the registry cleans itself. Namespaces
 * are listed in {@code metacache:namespaces}.
 */
final class Tiers implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Tiers.class.getName());
    static final String ANSWER = "metacache:a:";
    static final String REGISTRY = "metacache:reg:";
    static final String NAMESPACES = "metacache:namespaces";
    static final String CLEAR_CHANNEL = "metacache:clear";
    static final String ALL = "*";
    /** How many L2 candidates are checked per lookup, best first. */
    static final int CANDIDATES = 5;
    static final String CONTEXT_TAG = "ctx";
    static final String EXPIRY_TAG = "exp";

    private final SharedState state;
    private final Optional<Embedder> embedder;
    private final VectorIndex index;
    private final InstantSource clock;
    private final CacheSettings settings;
    private final Cache<String, Local> l1;
    /** The vector namespaces this instance has put to or searched, to clear them locally when told. */
    private final Set<String> vectorSpaces = ConcurrentHashMap.newKeySet();
    private final Set<String> knownNamespaces = ConcurrentHashMap.newKeySet();
    private final SharedState.Subscription clears;

    /** An L1 entry: the answer and the scope it belongs to (to clear a namespace). */
    record Local(CachedAnswer answer, Scope scope) {
    }

    /** What a lookup found: the answer, the tier, the key it was stored under, and for L2 the similarity. */
    record Found(CachedAnswer answer, Tier tier, String key, double similarity) {
    }

    enum Tier {
        L1, L2, L3;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    Tiers(SharedState state, Optional<Embedder> embedder, VectorIndex index, InstantSource clock, Ticker ticker,
          CacheSettings settings) {
        this.state = Objects.requireNonNull(state, "state");
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.index = Objects.requireNonNull(index, "index");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.l1 = Caffeine.newBuilder().maximumSize(settings.l1MaxEntries()).ticker(ticker::nanos)
                .expireAfter(new Expiry<String, Local>() {
                    @Override
                    public long expireAfterCreate(String key, Local value, long currentTime) {
                        return nanosLeft(value);
                    }

                    @Override
                    public long expireAfterUpdate(String key, Local value, long currentTime, long currentDuration) {
                        return nanosLeft(value);
                    }

                    @Override
                    public long expireAfterRead(String key, Local value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                }).build();
        this.clears = state.subscribe(CLEAR_CHANNEL, this::clearLocally);
    }

    private long nanosLeft(Local value) {
        return Math.max(0, Duration.between(clock.instant(), value.answer().expires()).toNanos());
    }

    Optional<Embedder> embedder() {
        return embedder;
    }

    /** L1 then L3: the answer stored under {@code key}. */
    Optional<Found> exact(String key, Scope scope) {
        Local local = l1.getIfPresent(key);
        Instant now = clock.instant();
        if (local != null && !local.answer().expired(now)) {
            return Optional.of(new Found(local.answer(), Tier.L1, key, 1));
        }
        Optional<CachedAnswer> shared = l3(key, now);
        shared.ifPresent(answer -> l1.put(key, new Local(answer, scope)));
        return shared.map(answer -> new Found(answer, Tier.L3, key, 1));
    }

    /**
     * L2: the best stored question of the same scope and context whose similarity reaches {@code threshold} and which
     * the {@link Guard} accepts; warms L1 and L3 under {@code key}.
     */
    Optional<Found> semantic(String key, Scope scope, String context, String text, float[] vector,
                             double threshold) {
        String space = vectorSpace(scope);
        vectorSpaces.add(space);
        Instant now = clock.instant();
        for (VectorIndex.Match match : index.search(space, vector, CANDIDATES, threshold,
                Map.of(CONTEXT_TAG, context))) {
            long expiry = parse(match.tags().get(EXPIRY_TAG));
            if (expiry <= now.toEpochMilli()) {
                index.remove(space, match.id());
                continue;
            }
            Local local = l1.getIfPresent(match.id());
            Optional<CachedAnswer> answer = local != null && !local.answer().expired(now)
                    ? Optional.of(local.answer()) : l3(match.id(), now);
            if (answer.isEmpty()) {
                index.remove(space, match.id());
                continue;
            }
            if (!Guard.allows(text, answer.get().query())) {
                continue;
            }
            warm(key, scope, answer.get());
            return Optional.of(new Found(answer.get(), Tier.L2, match.id(), match.score()));
        }
        return Optional.empty();
    }

    /** Keeps {@code answer} under {@code key} in every tier; with a vector, findable by meaning too. */
    void store(String key, Scope scope, CachedAnswer answer, Optional<Semantic> semantic) {
        l1.put(key, new Local(answer, scope));
        Duration ttl = Duration.between(clock.instant(), answer.expires());
        if (ttl.toMillis() < 1) {
            return;
        }
        state.set(ANSWER + key, answer.encode(), Optional.of(ttl));
        register(key, scope, answer.expires());
        semantic.ifPresent(s -> {
            String space = vectorSpace(scope);
            vectorSpaces.add(space);
            index.put(space, key, s.vector(), Map.of(CONTEXT_TAG, s.context(),
                    EXPIRY_TAG, Long.toString(answer.expires().toEpochMilli())));
        });
    }

    /** The embedding of a stored question and its context hash, for L2. */
    record Semantic(float[] vector, String context) {
    }

    private void warm(String key, Scope scope, CachedAnswer answer) {
        l1.put(key, new Local(answer, scope));
        Duration left = Duration.between(clock.instant(), answer.expires());
        if (left.toMillis() >= 1) {
            state.set(ANSWER + key, answer.encode(), Optional.of(left));
            register(key, scope, answer.expires());
        }
    }

    private Optional<CachedAnswer> l3(String key, Instant now) {
        return state.get(ANSWER + key).flatMap(CachedAnswer::decode).filter(answer -> !answer.expired(now));
    }

    private void register(String key, Scope scope, Instant expires) {
        LocalDate day = LocalDate.ofInstant(expires, ZoneOffset.UTC);
        String bucket = REGISTRY + scope.namespace() + ":" + day;
        state.hashPut(bucket, scope.id() + "|" + key, Long.toString(expires.toEpochMilli()));
        Instant bucketEnd = day.plusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant();
        state.expire(bucket, Duration.between(clock.instant(), bucketEnd));
        if (knownNamespaces.add(scope.namespace())) {
            state.hashPut(NAMESPACES, scope.namespace(), "1");
        }
    }

    /** Live entries, as listed in the registry: every namespace, or one. */
    long entries(Optional<String> namespace) {
        long now = clock.instant().toEpochMilli();
        long count = 0;
        for (String ns : namespaces(namespace)) {
            for (String bucket : buckets(ns)) {
                for (String expiry : state.hashGetAll(bucket).values()) {
                    if (parse(expiry) > now) {
                        count++;
                    }
                }
            }
        }
        return count;
    }

    /**
     * Removes every entry of {@code namespace} (or of all, {@value #ALL}) from every tier, in every instance: the
     * shared answers and registry here, the local tiers through a message every instance hears. How many entries
     * were removed.
     */
    long clear(Optional<String> namespace) {
        long removed = 0;
        for (String ns : namespaces(namespace)) {
            for (String bucket : buckets(ns)) {
                for (String field : state.hashGetAll(bucket).keySet()) {
                    String key = field.substring(field.lastIndexOf('|') + 1);
                    String tenant = field.substring(field.indexOf('|') + 1, field.lastIndexOf('|'));
                    if (state.delete(ANSWER + key)) {
                        removed++;
                    }
                    index.remove(vectorSpace(new Scope(ns, tenant)), key);
                }
                state.delete(bucket);
            }
        }
        state.publish(CLEAR_CHANNEL, namespace.orElse(ALL));
        clearLocally(namespace.orElse(ALL));
        return removed;
    }

    private void clearLocally(String namespace) {
        boolean all = namespace.equals(ALL);
        l1.asMap().values().removeIf(local -> all || local.scope().namespace().equals(namespace));
        for (String space : vectorSpaces) {
            if (all || space.split("\\|", -1)[2].equals(namespace)) {
                index.clear(space);
            }
        }
    }

    private List<String> namespaces(Optional<String> namespace) {
        return namespace.map(List::of).orElseGet(() -> new ArrayList<>(state.hashGetAll(NAMESPACES).keySet()));
    }

    /** Every registry bucket that can hold a live entry: from yesterday to the longest TTL's day. */
    private List<String> buckets(String namespace) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        List<String> buckets = new ArrayList<>();
        for (LocalDate day = today.minusDays(1); !day.isAfter(today.plusDays(settings.maxTtl().toDays() + 1));
             day = day.plusDays(1)) {
            buckets.add(REGISTRY + namespace + ":" + day);
        }
        return buckets;
    }

    /** The vector namespace of a scope: the embedding model is part of it, so vectors of two models never meet. */
    private String vectorSpace(Scope scope) {
        String model = embedder.map(Embedder::model).orElse("none");
        return "metacache|" + model + "|" + scope.namespace() + "|" + scope.tenant();
    }

    private static long parse(String millis) {
        try {
            return millis == null ? 0 : Long.parseLong(millis);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The L1 entry count, for tests. */
    long localSize() {
        l1.cleanUp();
        return l1.estimatedSize();
    }

    @Override
    public void close() {
        clears.close();
    }
}
