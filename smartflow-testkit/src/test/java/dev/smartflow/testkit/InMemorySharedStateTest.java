package dev.smartflow.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.spi.SharedState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InMemorySharedStateTest extends SharedStateContract {
    private final FakeClock clock = new FakeClock();

    @Override
    protected SharedState create() {
        return new InMemorySharedState(clock, Runnable::run);
    }

    @Override
    protected void advance(Duration duration) {
        clock.advance(duration);
    }

    @Test
    void messagesAreDeliveredOnTheGivenExecutor() {
        List<Runnable> queued = new ArrayList<>();
        List<String> received = new ArrayList<>();
        try (SharedState queuing = new InMemorySharedState(clock, queued::add)) {
            queuing.subscribe("c", received::add);

            queuing.publish("c", "m");

            assertTrue(received.isEmpty());
            queued.forEach(Runnable::run);
            assertEquals(List.of("m"), received);
        }
    }

    @Test
    void aListenerMayCallBackIntoTheStore() {
        state.subscribe("c", message -> state.set("last", message, Optional.empty()));

        state.publish("c", "m");

        assertEquals(Optional.of("m"), state.get("last"));
    }

    @Test
    void ttlIsExactUnderTheFakeClock() {
        state.set("k", "v", Optional.of(Duration.ofSeconds(10)));

        clock.advance(Duration.ofMillis(2_500));

        assertEquals(Optional.of(Duration.ofMillis(7_500)), state.ttl("k"));
    }
}
