package dev.smartflow.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.testkit.FakeClock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LoginLimiterTest {
    private final FakeClock clock = new FakeClock();
    private final LoginLimiter limiter = new LoginLimiter(3, Duration.ofMinutes(10), clock);

    @Test
    void aUserWaitsAfterTooManyFailuresUntilTheOldestLeavesTheWindow() {
        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.empty(), limiter.wait("admin", "10.0.0." + i));
            limiter.failed("admin", "10.0.0." + i);
            clock.advance(Duration.ofMinutes(1));
        }

        assertEquals(Optional.of(Duration.ofMinutes(7)), limiter.wait("admin", "10.0.0.9"));
        clock.advance(Duration.ofMinutes(7));
        assertEquals(Optional.empty(), limiter.wait("admin", "10.0.0.9"));
    }

    @Test
    void anAddressWaitsAfterTooManyFailuresWhateverTheNames() {
        limiter.failed("a", "192.0.2.1");
        limiter.failed("b", "192.0.2.1");
        limiter.failed("c", "192.0.2.1");

        assertTrue(limiter.wait("d", "192.0.2.1").isPresent());
        assertEquals(Optional.empty(), limiter.wait("d", "192.0.2.2"));
    }

    @Test
    void aSuccessClearsTheUsersFailuresButNotTheAddresss() {
        limiter.failed("admin", "192.0.2.1");
        limiter.failed("admin", "192.0.2.1");
        limiter.succeeded("admin");
        limiter.failed("admin", "192.0.2.7");
        limiter.failed("admin", "192.0.2.7");

        assertEquals(Optional.empty(), limiter.wait("admin", "192.0.2.8"));
        limiter.failed("x", "192.0.2.1");
        assertTrue(limiter.wait("y", "192.0.2.1").isPresent());
    }
}
