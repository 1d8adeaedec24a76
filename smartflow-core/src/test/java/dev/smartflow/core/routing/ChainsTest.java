package dev.smartflow.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.testing.FakeTicker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ChainsTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    private final InstantSource clock = now::get;
    private final InMemoryDatabase database = new InMemoryDatabase();
    private final InMemorySharedState state = new InMemorySharedState(new FakeTicker(), Runnable::run);
    private final FallbackChain chain = FallbackChain.of("prod", List.of(ChainTarget.of("openai", "gpt-4o")));

    @Test
    void aChangeOnOneInstanceReachesAnotherWithinASecond() {
        Chains here = new Chains(database.chains(), state, clock, Runnable::run);
        Chains there = new Chains(database.chains(), state, clock, Runnable::run);
        there.refresh();
        assertEquals(Optional.empty(), there.get("prod"));

        here.put(chain);

        assertEquals(Optional.of(chain), here.get("prod"), "at once where it was made");
        assertEquals(Optional.empty(), there.get("prod"), "the other instance checks at most once a second");
        now.set(now.get().plus(Duration.ofSeconds(1)));
        assertEquals(Optional.of(chain), there.get("prod"));

        here.delete("prod");
        now.set(now.get().plus(Duration.ofSeconds(1)));
        assertTrue(there.get("prod").isEmpty());
    }

    @Test
    void anUnreadableSharedStateKeepsTheSnapshot() {
        Chains chains = new Chains(database.chains(), state, clock, Runnable::run);
        chains.put(chain);
        state.close();
        now.set(now.get().plus(Duration.ofSeconds(5)));

        assertEquals(Optional.of(chain), chains.get("prod"));
    }
}
