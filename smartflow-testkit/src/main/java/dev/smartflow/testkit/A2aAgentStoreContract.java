package dev.smartflow.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.spi.A2aAgentStore;
import dev.smartflow.core.spi.A2aAgentStore.Agent;
import dev.smartflow.core.spi.Database;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Database}'s {@link A2aAgentStore} must show. An implementation's test extends it and
 * says how to make a database that holds no agents of earlier tests.
 *
 * <pre>{@code
 * class InMemoryA2aAgentStoreTest extends A2aAgentStoreContract {
 *     protected Database create() { return new InMemoryDatabase(); }
 * }
 * }</pre>
 */
public abstract class A2aAgentStoreContract {
    /** A time with sub-microsecond digits, so that truncation is exercised. */
    protected static final Instant T0 = Instant.parse("2026-11-01T10:00:00.123456789Z");

    protected Database database;
    protected A2aAgentStore agents;

    /** A new, open database that holds no agents. */
    protected abstract Database create();

    @BeforeEach
    void createDatabase() {
        database = create();
        agents = database.a2aAgents();
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    private static Agent agent(String id, String name, Instant at) {
        return new Agent(id, "{\"name\":\"" + name + "\"}", "v1:sealed-" + id, at);
    }

    @Test
    void aCreatedAgentReadsBackEqualWithItsTimeToTheMicrosecond() {
        assertTrue(agents.create(agent("summarizer", "Summarizer", T0)));

        Agent read = agents.agent("summarizer").orElseThrow();
        assertEquals(agent("summarizer", "Summarizer", T0), read);
        assertEquals(T0.truncatedTo(ChronoUnit.MICROS), read.updatedAt());
    }

    @Test
    void createRefusesAnIdThatIsTakenAndKeepsTheFirst() {
        agents.create(agent("a", "first", T0));

        assertFalse(agents.create(agent("a", "second", T0.plusSeconds(1))));
        assertEquals("{\"name\":\"first\"}", agents.agent("a").orElseThrow().definition());
    }

    @Test
    void putReplacesAndSaysWhetherTheAgentIsNew() {
        assertTrue(agents.put(agent("a", "first", T0)));
        assertFalse(agents.put(agent("a", "second", T0.plusSeconds(1))));

        assertEquals(List.of(agent("a", "second", T0.plusSeconds(1))), agents.agents());
    }

    @Test
    void agentsAreListedById() {
        agents.create(agent("b", "b", T0));
        agents.create(agent("B", "B", T0));
        agents.create(agent("a", "a", T0));

        assertEquals(List.of("B", "a", "b"), agents.agents().stream().map(Agent::id).toList());
    }

    @Test
    void deleteRemovesOnlyThatAgent() {
        agents.create(agent("a", "a", T0));
        agents.create(agent("b", "b", T0));

        assertTrue(agents.delete("a"));
        assertFalse(agents.delete("a"));
        assertEquals(Optional.empty(), agents.agent("a"));
        assertEquals(List.of("b"), agents.agents().stream().map(Agent::id).toList());
    }

    @Test
    void anAgentsToStringNamesNoSecret() {
        assertFalse(agent("a", "a", T0).toString().contains("sealed"));
    }

    @Test
    void concurrentCreatesOfOneIdMakeExactlyOneAgent() throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> created = IntStream.range(0, 50)
                    .mapToObj(i -> threads.submit(() -> agents.create(agent("race", "n" + i, T0)))).toList();
            long winners = 0;
            for (Future<Boolean> future : created) {
                winners += future.get() ? 1 : 0;
            }
            assertEquals(1, winners);
        }
        assertEquals(1, agents.agents().size());
    }

    @Test
    void everyCallFailsOnceTheDatabaseIsClosed() {
        database.close();

        assertThrows(IllegalStateException.class, () -> database.a2aAgents().agents());
    }
}
