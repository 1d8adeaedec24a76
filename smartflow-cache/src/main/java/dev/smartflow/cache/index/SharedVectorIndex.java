package dev.smartflow.cache.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.cache.index.FlatVectorIndex.Stored;
import dev.smartflow.core.Ticker;
import dev.smartflow.core.error.StateUnavailable;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.VectorIndex;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link VectorIndex} that gateway instances sharing one {@link SharedState} (Redis) share: entries live in the
 * shared state, and each instance searches its own in-process {@link FlatVectorIndex}, kept in step.
 *
 * <p><b>Layout.</b> A namespace's entries are spread over {@value #BUCKETS} hashes ({@code <prefix>e:<ns>#<n>}, by
 * the id's hash), so loading a large namespace reads it in parts rather than as one huge reply; a field holds one
 * entry as {@code {"v": <base64 of the little-endian floats>, "t": {tags}}} (2 KB for 384 dimensions). A counter per
 * namespace ({@code <prefix>v:<ns>}) is incremented by every change, and every change is announced on the channel
 * {@code <prefix>changes} with its version. {@code <prefix>namespaces} lists the namespaces that hold entries, for
 * {@link #preload()}.
 *
 * <p><b>Keeping in step.</b> An instance loads a namespace when it first uses it (or at {@link #preload()}) and then
 * follows the announcements. It does not trust an announcement's content: for a put or remove by another instance it
 * re-reads that one entry, and for a clear it reloads the namespace, so whatever order announcements of racing writes
 * arrive in, the last one read leaves the local copy equal to the shared entry. Its own writes it applies directly,
 * under the namespace's lock, which the re-reads take too (a re-read can therefore not be overtaken by an older
 * write of its own). Announcements are at most once: an instance tracks which versions it has reflected, and a
 * search checks the shared counter at most every {@code checkEvery}; a version that stays unreflected for a whole
 * check interval (an announcement lost, or sent while the instance was cut off) makes it reload the namespace.
 *
 * <p><b>Failures.</b> Writes fail with the state's {@link StateUnavailable} when it cannot be reached, and change
 * nothing locally. Searches keep answering from the local copy while the state is unreachable; it is reloaded once
 * the state answers again. A namespace never loaded cannot be searched without the state.
 */
public final class SharedVectorIndex implements VectorIndex {
    /** The default key prefix within the shared state. */
    public static final String DEFAULT_PREFIX = "vindex:";
    /** How often a search checks, at most, that no change was missed. */
    public static final Duration DEFAULT_CHECK_EVERY = Duration.ofSeconds(1);
    static final int BUCKETS = 32;

    private static final System.Logger LOG = System.getLogger(SharedVectorIndex.class.getName());

    private final SharedState state;
    private final String prefix;
    private final Ticker ticker;
    private final long checkEveryNanos;
    private final String origin = UUID.randomUUID().toString();
    private final FlatVectorIndex local = new FlatVectorIndex();
    private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();
    private final BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
    private final SharedState.Subscription subscription;
    private final Thread applier;
    private volatile boolean closed;

    /**
     * An index over {@code state} under {@code prefix}; announcements are followed from now on.
     *
     * @param ticker     the time source of the missed-change checks
     * @param checkEvery how often a search checks, at most, that no change was missed
     */
    public SharedVectorIndex(SharedState state, String prefix, Ticker ticker, Duration checkEvery) {
        this.state = Objects.requireNonNull(state, "state");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        if (checkEvery.isNegative()) {
            throw new IllegalArgumentException("checkEvery must not be negative");
        }
        this.checkEveryNanos = checkEvery.toNanos();
        this.subscription = state.subscribe(prefix + "changes", inbox::add);
        this.applier = Thread.ofVirtual().name("smartflow-vector-index").start(this::applyAnnouncements);
    }

    /** An index over {@code state} with the default prefix and check interval. */
    public static SharedVectorIndex open(SharedState state) {
        return new SharedVectorIndex(state, DEFAULT_PREFIX, Ticker.system(), DEFAULT_CHECK_EVERY);
    }

    /** Loads every namespace that holds entries, so first searches need not; returns how many. */
    public int preload() {
        int count = 0;
        for (String namespace : state.hashGetAll(registryKey()).keySet()) {
            loaded(namespace);
            count++;
        }
        return count;
    }

    @Override
    public void put(String namespace, String id, float[] vector, Map<String, String> tags) {
        Objects.requireNonNull(id, "id");
        FlatVectorIndex.requireUnit(vector);
        Map<String, String> copied = Map.copyOf(tags);
        Namespace space = loaded(namespace);
        space.lock.lock();
        try {
            local.dimensions(namespace).ifPresent(dimensions -> {
                if (dimensions != vector.length) {
                    throw new IllegalArgumentException("this namespace holds vectors of " + dimensions
                            + " dimensions, not " + vector.length);
                }
            });
            boolean first = local.size(namespace) == 0;
            state.hashPut(bucketKey(namespace, id), id, encode(vector, copied));
            if (first) {
                state.hashPut(registryKey(), namespace, "1");
            }
            long version = state.increment(versionKey(namespace), 1, Optional.empty());
            local.put(namespace, id, vector, copied);
            space.reflected(version);
            announce(namespace, id, "put", version);
        } finally {
            space.lock.unlock();
        }
    }

    @Override
    public boolean remove(String namespace, String id) {
        Objects.requireNonNull(id, "id");
        Namespace space = loaded(namespace);
        space.lock.lock();
        try {
            if (!state.hashRemove(bucketKey(namespace, id), id)) {
                local.remove(namespace, id);
                return false;
            }
            long version = state.increment(versionKey(namespace), 1, Optional.empty());
            local.remove(namespace, id);
            space.reflected(version);
            announce(namespace, id, "remove", version);
            return true;
        } finally {
            space.lock.unlock();
        }
    }

    @Override
    public int clear(String namespace) {
        Namespace space = loaded(namespace);
        space.lock.lock();
        try {
            for (int bucket = 0; bucket < BUCKETS; bucket++) {
                state.delete(bucketKey(namespace, bucket));
            }
            state.hashRemove(registryKey(), namespace);
            long version = state.increment(versionKey(namespace), 1, Optional.empty());
            int cleared = local.clear(namespace);
            space.reflected(version);
            announce(namespace, "", "clear", version);
            return cleared;
        } finally {
            space.lock.unlock();
        }
    }

    @Override
    public int size(String namespace) {
        loaded(namespace);
        return local.size(namespace);
    }

    @Override
    public List<Match> search(String namespace, float[] query, int k, double minScore, Map<String, String> filter) {
        FlatVectorIndex.requireUnit(query);
        if (k < 0) {
            throw new IllegalArgumentException("k must not be negative: " + k);
        }
        Namespace space = loaded(namespace);
        checkForMissedChanges(namespace, space);
        return local.search(namespace, query, k, minScore, filter);
    }

    /** Stops following announcements; the shared entries stay. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            subscription.close();
        } catch (RuntimeException e) {
            // the state was closed first: no subscription is left to end
        }
        applier.interrupt();
    }

    // --- keeping in step

    private Namespace loaded(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (closed) {
            throw new IllegalStateException("the vector index is closed");
        }
        Namespace space = namespaces.computeIfAbsent(namespace, n -> new Namespace());
        if (!space.loaded) {
            space.lock.lock();
            try {
                if (!space.loaded) {
                    reload(namespace, space);
                }
            } finally {
                space.lock.unlock();
            }
        }
        return space;
    }

    /** Reads the namespace whole and replaces the local copy; the caller holds its lock. */
    private void reload(String namespace, Namespace space) {
        // the version first: a change made while the entries are read is announced after it, and re-read then
        long version = version(namespace);
        List<Stored> entries = new ArrayList<>();
        for (int bucket = 0; bucket < BUCKETS; bucket++) {
            for (Map.Entry<String, String> field : state.hashGetAll(bucketKey(namespace, bucket)).entrySet()) {
                decode(namespace, field.getKey(), field.getValue()).ifPresent(entries::add);
            }
        }
        List<String> skipped = local.replace(namespace, entries);
        if (!skipped.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "vector index: " + skipped.size() + " entries of namespace "
                    + namespace + " have another vector length than the rest and were skipped");
        }
        space.loadedAt(version, ticker.nanos());
    }

    private void checkForMissedChanges(String namespace, Namespace space) {
        long now = ticker.nanos();
        if (now - space.lastCheck < checkEveryNanos || !space.lock.tryLock()) {
            return;
        }
        try {
            if (now - space.lastCheck < checkEveryNanos) {
                return;
            }
            space.lastCheck = now;
            long shared = version(namespace);
            if (space.stale || shared < space.contiguous || (shared > space.contiguous
                    && space.gapAt == space.contiguous)) {
                // cut off, the shared state was reset, or a change stayed unannounced for a whole interval
                reload(namespace, space);
            } else {
                space.gapAt = shared > space.contiguous ? space.contiguous : -1;
            }
        } catch (StateUnavailable e) {
            space.stale = true;
        } finally {
            space.lock.unlock();
        }
    }

    private void applyAnnouncements() {
        while (!closed) {
            String message;
            try {
                message = inbox.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                apply(message);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "vector index: an announcement could not be applied", e);
            }
        }
    }

    private void apply(String message) {
        JsonNode change;
        try {
            change = Body.MAPPER.readTree(message);
        } catch (JsonProcessingException e) {
            LOG.log(System.Logger.Level.WARNING, "vector index: an unreadable announcement was ignored");
            return;
        }
        String namespace = change.path("n").asText();
        Namespace space = namespaces.get(namespace);
        if (space == null || !space.loaded) {
            return; // read fresh when first used
        }
        long version = change.path("v").asLong();
        space.lock.lock();
        try {
            if (!space.loaded || space.reflects(version)) {
                return;
            }
            try {
                if (change.path("k").asText().equals("clear")) {
                    reload(namespace, space);
                    return;
                }
                String id = change.path("i").asText();
                Optional<Stored> entry = state.hashGet(bucketKey(namespace, id), id)
                        .flatMap(value -> decode(namespace, id, value));
                if (entry.isPresent() && local.dimensions(namespace).orElse(entry.get().vector().length)
                        == entry.get().vector().length) {
                    local.put(namespace, id, entry.get().vector(), entry.get().tags());
                } else {
                    local.remove(namespace, id);
                }
                space.reflected(version);
            } catch (StateUnavailable e) {
                space.stale = true;
            }
        } finally {
            space.lock.unlock();
        }
    }

    private void announce(String namespace, String id, String kind, long version) {
        ObjectNode message = Body.MAPPER.createObjectNode().put("o", origin).put("n", namespace).put("i", id)
                .put("k", kind).put("v", version);
        try {
            state.publish(prefix + "changes", message.toString());
        } catch (StateUnavailable e) {
            // stored already; other instances find the change at their next version check
            LOG.log(System.Logger.Level.DEBUG, "vector index: a change could not be announced", e);
        }
    }

    private long version(String namespace) {
        return state.get(versionKey(namespace)).map(Long::parseLong).orElse(0L);
    }

    // --- layout

    private String bucketKey(String namespace, String id) {
        return bucketKey(namespace, Math.floorMod(id.hashCode(), BUCKETS));
    }

    private String bucketKey(String namespace, int bucket) {
        return prefix + "e:" + namespace + "#" + bucket;
    }

    private String versionKey(String namespace) {
        return prefix + "v:" + namespace;
    }

    private String registryKey() {
        return prefix + "namespaces";
    }

    static String encode(float[] vector, Map<String, String> tags) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        ObjectNode json = Body.MAPPER.createObjectNode().put("v", Base64.getEncoder().encodeToString(bytes.array()));
        ObjectNode tagNode = json.putObject("t");
        tags.forEach(tagNode::put);
        return json.toString();
    }

    private static Optional<Stored> decode(String namespace, String id, String value) {
        try {
            JsonNode json = Body.MAPPER.readTree(value);
            byte[] bytes = Base64.getDecoder().decode(json.path("v").asText());
            float[] vector = new float[bytes.length / Float.BYTES];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
            Map<String, String> tags = new HashMap<>();
            json.path("t").properties().forEach(tag -> tags.put(tag.getKey(), tag.getValue().asText()));
            FlatVectorIndex.requireUnit(vector);
            return Optional.of(new Stored(id, vector, Map.copyOf(tags)));
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "vector index: entry " + id + " of namespace " + namespace
                    + " is unreadable and was skipped");
            return Optional.empty();
        }
    }

    /** What an instance knows of one namespace; guarded by {@link #lock} except the volatile flags. */
    private static final class Namespace {
        private static final int MAX_AHEAD = 10_000;

        final ReentrantLock lock = new ReentrantLock();
        volatile boolean loaded;
        volatile long lastCheck;
        boolean stale;
        /** Every change up to this version is reflected locally. */
        long contiguous;
        /** Changes beyond {@link #contiguous} reflected already. */
        final TreeSet<Long> ahead = new TreeSet<>();
        /** {@link #contiguous} when the last check found the shared version ahead of it; -1 when it was not. */
        long gapAt = -1;

        void loadedAt(long version, long now) {
            contiguous = version;
            ahead.headSet(version, true).clear();
            advance();
            loaded = true;
            stale = false;
            gapAt = -1;
            lastCheck = now;
        }

        boolean reflects(long version) {
            return version <= contiguous || ahead.contains(version);
        }

        void reflected(long version) {
            if (version > contiguous) {
                ahead.add(version);
                advance();
                if (ahead.size() > MAX_AHEAD) {
                    // a change was missed long ago and nothing searched since: reload at the next search
                    stale = true;
                }
            }
        }

        private void advance() {
            while (ahead.remove(contiguous + 1)) {
                contiguous++;
            }
        }
    }
}
