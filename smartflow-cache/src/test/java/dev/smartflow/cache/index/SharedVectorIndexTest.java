package dev.smartflow.cache.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.VectorIndex;
import dev.smartflow.testkit.Await;
import dev.smartflow.testkit.FakeClock;
import dev.smartflow.testkit.VectorIndexContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract on one process's {@link InMemorySharedState}, and how instances sharing a state keep in step, with a
 * fake clock for the missed-change checks.
 */
class SharedVectorIndexTest extends VectorIndexContract {
    private static final Duration CHECK_EVERY = Duration.ofSeconds(1);

    private final FakeClock clock = new FakeClock();
    private final List<Runnable> deliveries = new ArrayList<>();
    private final SharedState state = new InMemorySharedState(clock, Runnable::run);
    private final List<SharedVectorIndex> others = new ArrayList<>();

    @Override
    protected VectorIndex create() {
        return new SharedVectorIndex(state, "vindex:", clock, CHECK_EVERY);
    }

    private SharedVectorIndex instance(SharedState shared) {
        SharedVectorIndex index = new SharedVectorIndex(shared, "vindex:", clock, CHECK_EVERY);
        others.add(index);
        return index;
    }

    @AfterEach
    void closeOthers() {
        others.forEach(SharedVectorIndex::close);
    }

    @Test
    void anotherInstanceSeesPutsRemovesAndClears() {
        SharedVectorIndex other = instance(state);
        assertEquals(0, other.size("ns"));

        index.put("ns", "a", unit(1, 0), Map.of("tag", "1"));
        index.put("ns", "b", unit(0, 1), Map.of());
        Await.until(Duration.ofSeconds(5), "the other instance has both", () -> other.size("ns") == 2);
        assertEquals(Map.of("tag", "1"), other.search("ns", unit(1, 0), 1, 0).getFirst().tags());

        index.remove("ns", "a");
        Await.until(Duration.ofSeconds(5), "the other instance lost a", () -> other.size("ns") == 1);

        index.clear("ns");
        Await.until(Duration.ofSeconds(5), "the other instance is empty", () -> other.size("ns") == 0);
        other.put("ns", "c", unit(1, 1), Map.of());
        Await.until(Duration.ofSeconds(5), "the first sees c", () -> index.size("ns") == 1);
    }

    @Test
    void anInstanceStartedLaterLoadsWhatIsStored() {
        index.put("ns-1", "a", unit(1, 0), Map.of("k", "v"));
        index.put("ns-1", "b", unit(0, 1), Map.of());
        index.put("ns-2", "c", unit(1, 0, 0), Map.of());
        index.clear("ns-2");
        index.put("ns-3", "d", unit(1, 0, 0), Map.of());

        SharedVectorIndex later = instance(state);

        assertEquals(2, later.preload());
        assertEquals(2, later.size("ns-1"));
        assertEquals(Map.of("k", "v"), later.search("ns-1", unit(1, 0), 1, 0).getFirst().tags());
        assertEquals(1, later.size("ns-3"));
    }

    @Test
    void aMissedAnnouncementIsFoundByTheChecksOfLaterSearches() {
        SharedState queuing = new InMemorySharedState(clock, deliveries::add);
        SharedVectorIndex writer = instance(queuing);
        SharedVectorIndex reader = instance(queuing);
        assertEquals(0, reader.size("ns"));

        writer.put("ns", "a", unit(1, 0), Map.of());
        deliveries.clear(); // the announcement is lost

        assertEquals(List.of(), reader.search("ns", unit(1, 0), 5, 0));
        clock.advance(CHECK_EVERY);
        assertEquals(List.of(), reader.search("ns", unit(1, 0), 5, 0), "the first check may find it in flight");
        clock.advance(CHECK_EVERY);
        assertEquals("a", reader.search("ns", unit(1, 0), 5, 0).getFirst().id(), "the second check reloads");
    }

    @Test
    void anAnnouncementThatArrivesBetweenTwoChecksNeedsNoReload() {
        SharedState queuing = new InMemorySharedState(clock, deliveries::add);
        SharedVectorIndex writer = instance(queuing);
        SharedVectorIndex reader = instance(queuing);
        assertEquals(0, reader.size("ns"));
        writer.put("ns", "a", unit(1, 0), Map.of());
        clock.advance(CHECK_EVERY);
        assertEquals(List.of(), reader.search("ns", unit(1, 0), 5, 0)); // a gap seen: the announcement is late

        deliveries.forEach(Runnable::run);
        deliveries.clear();

        Await.until(Duration.ofSeconds(5), "the late announcement applied", () -> reader.size("ns") == 1);
    }

    @Test
    void writesFailWithTheStateAndChangeNothing() {
        SharedState closing = new InMemorySharedState(clock, Runnable::run);
        SharedVectorIndex writer = instance(closing);
        writer.put("ns", "a", unit(1, 0), Map.of());
        closing.close();

        assertThrows(IllegalStateException.class, () -> writer.put("ns", "b", unit(0, 1), Map.of()));

        assertEquals(1, writer.size("ns"));
        assertEquals("a", writer.search("ns", unit(0, 1), 5, -1).getFirst().id(),
                "searches go on from the local copy");
    }

    @Test
    void entriesAreStoredAsBase64OfTheirFloats() {
        index.put("ns", "a", unit(3, 4), Map.of("t", "x"));

        Map<String, String> stored = new HashMap<>();
        for (int bucket = 0; bucket < SharedVectorIndex.BUCKETS; bucket++) {
            stored.putAll(state.hashGetAll("vindex:e:ns#" + bucket));
        }
        assertEquals(Map.of("a", """
                {"v":"mpkZP83MTD8=","t":{"t":"x"}}"""), stored);
        assertEquals(Optional.of("1"), state.get("vindex:v:ns"));
    }
}
