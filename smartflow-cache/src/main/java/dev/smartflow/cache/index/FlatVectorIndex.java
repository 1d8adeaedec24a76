package dev.smartflow.cache.index;

import dev.smartflow.core.spi.VectorIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Exact cosine search in process memory: each namespace keeps its vectors end to end in one {@code float[]}, so a
 * search is one tight loop of dot products over contiguous memory with a bounded heap for the top k (figures in
 * BENCHMARKS.md). Exact search is meant for up to about 100,000 vectors per namespace; beyond that an approximate
 * index (HNSW) would implement the same interface.
 *
 * <p>Removal moves the namespace's last entry into the freed slot, so the arrays never have holes. Readers share a
 * namespace's read lock; writers take its write lock.
 */
public final class FlatVectorIndex implements VectorIndex {
    private final Map<String, Space> spaces = new ConcurrentHashMap<>();

    @Override
    public void put(String namespace, String id, float[] vector, Map<String, String> tags) {
        Objects.requireNonNull(id, "id");
        requireUnit(vector);
        Map<String, String> copied = Map.copyOf(tags);
        spaces.computeIfAbsent(Objects.requireNonNull(namespace, "namespace"), n -> new Space(vector.length))
                .put(id, vector, copied);
    }

    @Override
    public boolean remove(String namespace, String id) {
        Space space = spaces.get(namespace);
        return space != null && space.remove(id);
    }

    @Override
    public int clear(String namespace) {
        Space space = spaces.remove(namespace);
        return space == null ? 0 : space.size();
    }

    @Override
    public int size(String namespace) {
        Space space = spaces.get(namespace);
        return space == null ? 0 : space.size();
    }

    /**
     * Replaces every entry of {@code namespace} with {@code entries} in one step: a search sees the old entries or
     * the new ones, never a mix. Entries whose vector length differs from the first entry's are skipped and returned.
     */
    List<String> replace(String namespace, List<Stored> entries) {
        if (entries.isEmpty()) {
            spaces.remove(namespace);
            return List.of();
        }
        Space space = new Space(entries.getFirst().vector().length);
        List<String> skipped = new ArrayList<>();
        for (Stored entry : entries) {
            if (entry.vector().length != space.dimensions) {
                skipped.add(entry.id());
                continue;
            }
            space.put(entry.id(), entry.vector(), entry.tags());
        }
        spaces.put(namespace, space);
        return skipped;
    }

    /** One entry as a shared index keeps it. */
    record Stored(String id, float[] vector, Map<String, String> tags) {
    }

    /** The vector length of {@code namespace}: set by its first put, forgotten by a clear. */
    public OptionalInt dimensions(String namespace) {
        Space space = spaces.get(namespace);
        return space == null ? OptionalInt.empty() : OptionalInt.of(space.dimensions);
    }

    /**
     * Checks that {@code vector} can be indexed: finite components of unit length (within 1e-3, the rounding of a
     * float normalisation), as the dot products here are cosines only for unit vectors.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static void requireUnit(float[] vector) {
        if (vector.length == 0) {
            throw new IllegalArgumentException("a vector has at least one component");
        }
        double sum = 0;
        for (float component : vector) {
            sum += (double) component * component;
        }
        double norm = Math.sqrt(sum);
        if (!(Math.abs(norm - 1) <= 1e-3)) {
            throw new IllegalArgumentException("vectors must have unit length (L2-normalised), not " + norm);
        }
    }

    @Override
    public List<Match> search(String namespace, float[] query, int k, double minScore, Map<String, String> filter) {
        if (k < 0) {
            throw new IllegalArgumentException("k must not be negative: " + k);
        }
        requireUnit(query);
        Space space = spaces.get(namespace);
        if (space == null || k == 0) {
            return List.of();
        }
        return space.search(query, k, minScore, filter);
    }

    /** The vectors of one namespace. */
    private static final class Space {
        private static final Comparator<Match> WORST_FIRST = Comparator.comparingDouble(Match::score)
                .thenComparing(Match::id, Comparator.reverseOrder());

        private final ReadWriteLock lock = new ReentrantReadWriteLock();
        private final int dimensions;
        private final Map<String, Integer> slots = new HashMap<>();
        private float[] vectors = new float[0];
        private final List<String> ids = new ArrayList<>();
        private final List<Map<String, String>> tags = new ArrayList<>();

        Space(int dimensions) {
            this.dimensions = dimensions;
        }

        void put(String id, float[] vector, Map<String, String> entryTags) {
            check(vector);
            lock.writeLock().lock();
            try {
                Integer slot = slots.get(id);
                if (slot == null) {
                    slot = ids.size();
                    if ((slot + 1) * dimensions > vectors.length) {
                        vectors = Arrays.copyOf(vectors, Math.max(16 * dimensions, vectors.length * 2));
                    }
                    slots.put(id, slot);
                    ids.add(id);
                    tags.add(entryTags);
                } else {
                    tags.set(slot, entryTags);
                }
                System.arraycopy(vector, 0, vectors, slot * dimensions, dimensions);
            } finally {
                lock.writeLock().unlock();
            }
        }

        boolean remove(String id) {
            lock.writeLock().lock();
            try {
                Integer slot = slots.remove(id);
                if (slot == null) {
                    return false;
                }
                int last = ids.size() - 1;
                if (slot != last) {
                    System.arraycopy(vectors, last * dimensions, vectors, slot * dimensions, dimensions);
                    String moved = ids.get(last);
                    ids.set(slot, moved);
                    tags.set(slot, tags.get(last));
                    slots.put(moved, slot);
                }
                ids.remove(last);
                tags.remove(last);
                return true;
            } finally {
                lock.writeLock().unlock();
            }
        }

        int size() {
            lock.readLock().lock();
            try {
                return ids.size();
            } finally {
                lock.readLock().unlock();
            }
        }

        List<Match> search(float[] query, int k, double minScore, Map<String, String> filter) {
            check(query);
            lock.readLock().lock();
            try {
                PriorityQueue<Match> best = new PriorityQueue<>(Math.min(k, ids.size()) + 1, WORST_FIRST);
                float[] all = vectors;
                int count = ids.size();
                for (int slot = 0, base = 0; slot < count; slot++, base += dimensions) {
                    float dot = dot(all, base, query);
                    if (dot < minScore || (best.size() == k && dot < best.peek().score())) {
                        continue;
                    }
                    Map<String, String> entryTags = tags.get(slot);
                    if (!matches(entryTags, filter)) {
                        continue;
                    }
                    best.add(new Match(ids.get(slot), dot, entryTags));
                    if (best.size() > k) {
                        best.poll();
                    }
                }
                List<Match> ordered = new ArrayList<>(best);
                ordered.sort(WORST_FIRST.reversed());
                return ordered;
            } finally {
                lock.readLock().unlock();
            }
        }

        /**
         * The dot product of {@code query} and the vector at {@code base}. Eight running sums instead of one: a single
         * sum makes every addition wait for the previous one (floating-point addition is not reassociated by the
         * JIT), which made a search of 100,000 vectors take 28 ms; eight independent sums keep the CPU's adders busy
         * (figures in BENCHMARKS.md). The Vector API would be faster still, but it is an incubator module that needs
         * {@code --add-modules jdk.incubator.vector} on every JVM that runs Smartflow.
         */
        private float dot(float[] all, int base, float[] query) {
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            float s4 = 0;
            float s5 = 0;
            float s6 = 0;
            float s7 = 0;
            int i = 0;
            for (int end = dimensions - 7; i < end; i += 8) {
                int at = base + i;
                s0 += all[at] * query[i];
                s1 += all[at + 1] * query[i + 1];
                s2 += all[at + 2] * query[i + 2];
                s3 += all[at + 3] * query[i + 3];
                s4 += all[at + 4] * query[i + 4];
                s5 += all[at + 5] * query[i + 5];
                s6 += all[at + 6] * query[i + 6];
                s7 += all[at + 7] * query[i + 7];
            }
            for (; i < dimensions; i++) {
                s0 += all[base + i] * query[i];
            }
            return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        }

        private void check(float[] vector) {
            if (vector.length != dimensions) {
                throw new IllegalArgumentException("this namespace holds vectors of " + dimensions
                        + " dimensions, not " + vector.length);
            }
        }

        private static boolean matches(Map<String, String> tags, Map<String, String> filter) {
            for (Map.Entry<String, String> wanted : filter.entrySet()) {
                if (!wanted.getValue().equals(tags.get(wanted.getKey()))) {
                    return false;
                }
            }
            return true;
        }
    }
}
