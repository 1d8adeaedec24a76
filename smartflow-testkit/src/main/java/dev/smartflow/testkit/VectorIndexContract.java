package dev.smartflow.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.spi.VectorIndex;
import dev.smartflow.core.spi.VectorIndex.Match;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link VectorIndex} must show. An implementation's test extends it and says how to make a fresh,
 * empty index; it adds only what is specific to the implementation.
 *
 * <pre>{@code
 * class FlatVectorIndexTest extends VectorIndexContract {
 *     protected VectorIndex create() { return new FlatVectorIndex(); }
 * }
 * }</pre>
 */
public abstract class VectorIndexContract {
    private static final int THREADS = 200;

    /** The index under test, made by {@link #create()} before each test and closed after it. */
    protected VectorIndex index;

    /** A new index that sees no entries left by earlier tests. */
    protected abstract VectorIndex create();

    @BeforeEach
    void createIndex() {
        index = create();
    }

    @AfterEach
    void closeIndex() {
        index.close();
    }

    /** {@code components} scaled to unit length. */
    protected static float[] unit(double... components) {
        double sum = 0;
        for (double component : components) {
            sum += component * component;
        }
        float[] vector = new float[components.length];
        for (int i = 0; i < components.length; i++) {
            vector[i] = (float) (components[i] / Math.sqrt(sum));
        }
        return vector;
    }

    private static List<String> ids(List<Match> matches) {
        return matches.stream().map(Match::id).toList();
    }

    // --- search

    @Test
    void searchOrdersByCosineBestFirstAndReportsIt() {
        index.put("ns", "east", unit(1, 0, 0), Map.of());
        index.put("ns", "north-east", unit(1, 1, 0), Map.of());
        index.put("ns", "north", unit(0, 1, 0), Map.of());
        index.put("ns", "west", unit(-1, 0, 0), Map.of());

        List<Match> matches = index.search("ns", unit(1, 0, 0), 10, -1);

        assertEquals(List.of("east", "north-east", "north", "west"), ids(matches));
        assertEquals(1.0, matches.get(0).score(), 1e-6);
        assertEquals(Math.sqrt(0.5), matches.get(1).score(), 1e-6);
        assertEquals(0.0, matches.get(2).score(), 1e-6);
        assertEquals(-1.0, matches.get(3).score(), 1e-6);
    }

    @Test
    void tiesAreOrderedById() {
        for (String id : List.of("c", "a", "d", "b")) {
            index.put("ns", id, unit(1, 1), Map.of());
        }

        assertEquals(List.of("a", "b", "c", "d"), ids(index.search("ns", unit(1, 1), 10, 0)));
        assertEquals(List.of("a", "b"), ids(index.search("ns", unit(1, 1), 2, 0)));
    }

    @Test
    void kLimitsTheResultsToTheBest() {
        for (int i = 0; i < 20; i++) {
            index.put("ns", "e" + i, unit(1, i), Map.of());
        }

        assertEquals(List.of("e0", "e1", "e2"), ids(index.search("ns", unit(1, 0), 3, -1)));
        assertEquals(20, index.search("ns", unit(1, 0), 100, -1).size());
        assertEquals(List.of(), index.search("ns", unit(1, 0), 0, -1));
        assertThrows(IllegalArgumentException.class, () -> index.search("ns", unit(1, 0), -1, -1));
    }

    @Test
    void minScoreLeavesOutWorseMatchesAndKeepsEqualOnes() {
        index.put("ns", "same", unit(1, 0), Map.of());
        index.put("ns", "diagonal", unit(1, 1), Map.of());
        index.put("ns", "orthogonal", unit(0, 1), Map.of());
        double diagonal = index.search("ns", unit(1, 0), 3, -1).get(1).score();

        assertEquals(List.of("same", "diagonal"), ids(index.search("ns", unit(1, 0), 10, diagonal)));
        assertEquals(List.of("same"), ids(index.search("ns", unit(1, 0), 10, 0.9)));
        assertEquals(List.of(), ids(index.search("ns", unit(-1, 0), 10, 0.5)));
    }

    @Test
    void filtersKeepOnlyEntriesWithEveryTagPair() {
        index.put("ns", "a", unit(1, 0), Map.of("tenant", "t1", "kind", "faq"));
        index.put("ns", "b", unit(1, 0.1), Map.of("tenant", "t1", "kind", "doc"));
        index.put("ns", "c", unit(1, 0.2), Map.of("tenant", "t2", "kind", "faq"));
        index.put("ns", "d", unit(1, 0.3), Map.of());

        assertEquals(List.of("a", "b"), ids(index.search("ns", unit(1, 0), 10, -1, Map.of("tenant", "t1"))));
        assertEquals(List.of("a"), ids(index.search("ns", unit(1, 0), 10, -1,
                Map.of("tenant", "t1", "kind", "faq"))));
        assertEquals(List.of(), ids(index.search("ns", unit(1, 0), 10, -1, Map.of("tenant", "t3"))));
        assertEquals(List.of("a", "b", "c", "d"), ids(index.search("ns", unit(1, 0), 10, -1, Map.of())));
    }

    @Test
    void aFilteredSearchStillFindsKMatchesBehindBetterUnmatchedOnes() {
        for (int i = 0; i < 10; i++) {
            index.put("ns", "other" + i, unit(1, 0.01 * i), Map.of("tenant", "other"));
        }
        index.put("ns", "mine", unit(1, 1), Map.of("tenant", "me"));

        assertEquals(List.of("mine"), ids(index.search("ns", unit(1, 0), 1, -1, Map.of("tenant", "me"))));
    }

    @Test
    void matchesCarryTheirEntrysTags() {
        index.put("ns", "a", unit(1, 0), Map.of("file_id", "vf_1", "chunk", "3"));

        assertEquals(Map.of("file_id", "vf_1", "chunk", "3"), index.search("ns", unit(1, 0), 1, 0).get(0).tags());
    }

    @Test
    void anUnknownNamespaceIsEmpty() {
        assertEquals(List.of(), index.search("nothing-here", unit(1, 0), 5, -1));
        assertEquals(0, index.size("nothing-here"));
        assertFalse(index.remove("nothing-here", "a"));
        assertEquals(0, index.clear("nothing-here"));
    }

    // --- changes

    @Test
    void putReplacesTheVectorAndTagsOfAnEntryWithTheSameId() {
        index.put("ns", "a", unit(1, 0), Map.of("v", "1"));
        index.put("ns", "b", unit(0.5, 1), Map.of());

        index.put("ns", "a", unit(0, 1), Map.of("v", "2"));

        assertEquals(2, index.size("ns"));
        List<Match> matches = index.search("ns", unit(0, 1), 1, 0);
        assertEquals("a", matches.get(0).id());
        assertEquals(1.0, matches.get(0).score(), 1e-6);
        assertEquals(Map.of("v", "2"), matches.get(0).tags());
    }

    @Test
    void removeDeletesOneEntryAndSaysWhetherItExisted() {
        index.put("ns", "a", unit(1, 0), Map.of());
        index.put("ns", "b", unit(1, 1), Map.of());
        index.put("ns", "c", unit(0, 1), Map.of());

        assertTrue(index.remove("ns", "a"));
        assertFalse(index.remove("ns", "a"));

        assertEquals(2, index.size("ns"));
        assertEquals(List.of("b", "c"), ids(index.search("ns", unit(1, 0), 10, -1)));
        index.put("ns", "a", unit(1, 0), Map.of("back", "yes"));
        assertEquals(List.of("a", "b", "c"), ids(index.search("ns", unit(1, 0), 10, -1)));
    }

    @Test
    void clearEmptiesTheNamespaceAndCountsWhatItHeld() {
        index.put("ns", "a", unit(1, 0), Map.of());
        index.put("ns", "b", unit(0, 1), Map.of());

        assertEquals(2, index.clear("ns"));

        assertEquals(0, index.size("ns"));
        assertEquals(List.of(), index.search("ns", unit(1, 0), 5, -1));
        index.put("ns", "wider", unit(1, 0, 0), Map.of()); // a cleared namespace takes any length again
        assertEquals(List.of("wider"), ids(index.search("ns", unit(1, 0, 0), 5, -1)));
    }

    @Test
    void vectorsOfAnotherLengthAreRejectedAndChangeNothing() {
        index.put("ns", "a", unit(1, 0, 0), Map.of());

        assertThrows(IllegalArgumentException.class, () -> index.put("ns", "b", unit(1, 0), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> index.put("ns", "a", unit(1, 0, 0, 0), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> index.search("ns", unit(1, 0), 5, -1));

        assertEquals(1, index.size("ns"));
        assertEquals(List.of("a"), ids(index.search("ns", unit(1, 0, 0), 5, -1)));
    }

    @Test
    void vectorsThatAreNotOfUnitLengthAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> index.put("ns", "a", new float[] {1, 1}, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> index.put("ns", "a", new float[] {0, 0}, Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> index.put("ns", "a", new float[] {Float.NaN, 0}, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> index.put("ns", "a", new float[0], Map.of()));
        assertThrows(IllegalArgumentException.class, () -> index.search("ns", new float[] {2, 0}, 5, -1));

        assertEquals(0, index.size("ns"));
    }

    @Test
    void namespacesAreIsolated() {
        index.put("tenant-a", "same-id", unit(1, 0), Map.of("owner", "a"));
        index.put("tenant-b", "same-id", unit(0, 1), Map.of("owner", "b"));
        index.put("tenant-c", "other", unit(1, 0, 0), Map.of()); // its own vector length

        assertEquals(Map.of("owner", "a"), index.search("tenant-a", unit(0, 1), 5, -1).get(0).tags());
        assertEquals(Map.of("owner", "b"), index.search("tenant-b", unit(1, 0), 5, -1).get(0).tags());
        assertTrue(index.remove("tenant-a", "same-id"));
        assertEquals(1, index.size("tenant-b"));
        assertEquals(1, index.clear("tenant-b"));
        assertEquals(1, index.size("tenant-c"));
    }

    // --- concurrency

    @Test
    void concurrentPutsAndSearchesLoseNothing() throws Exception {
        List<List<String>> seen = Concurrently.run(THREADS, i -> {
            index.put("ns", "e" + i, oneHot(i, THREADS), Map.of("n", Integer.toString(i)));
            return ids(index.search("ns", oneHot(i, THREADS), 1, 0.99));
        });

        for (int i = 0; i < THREADS; i++) {
            assertEquals(List.of("e" + i), seen.get(i), "a search after its put finds it");
        }
        assertEquals(THREADS, index.size("ns"));
        Set<String> found = index.search("ns", unit(ones(THREADS)), THREADS, -1).stream().map(Match::id)
                .collect(Collectors.toSet());
        assertEquals(THREADS, found.size());
    }

    private static float[] oneHot(int at, int length) {
        float[] vector = new float[length];
        vector[at] = 1;
        return vector;
    }

    private static double[] ones(int length) {
        double[] components = new double[length];
        Arrays.fill(components, 1);
        return components;
    }

    @Test
    void concurrentRemovesRemoveEachEntryOnce() throws Exception {
        for (int i = 0; i < 50; i++) {
            index.put("ns", "e" + i, unit(1, i), Map.of());
        }

        List<Boolean> removed = Concurrently.run(THREADS, i -> index.remove("ns", "e" + (i % 50)));

        assertEquals(50, removed.stream().filter(Boolean::booleanValue).count());
        assertEquals(0, index.size("ns"));
    }
}
