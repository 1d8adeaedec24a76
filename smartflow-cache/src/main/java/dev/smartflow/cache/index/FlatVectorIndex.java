package dev.smartflow.cache.index;

import dev.smartflow.core.spi.VectorIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

    @Override
    public List<Match> search(String namespace, float[] query, int k, double minScore, Map<String, String> filter) {
        if (k < 0) {
            throw new IllegalArgumentException("k must not be negative: " + k);
        }
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
            if (dimensions <= 0) {
                throw new IllegalArgumentException("a vector has at least one component");
            }
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
                    float dot = 0;
                    for (int i = 0; i < dimensions; i++) {
                        dot += all[base + i] * query[i];
                    }
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
