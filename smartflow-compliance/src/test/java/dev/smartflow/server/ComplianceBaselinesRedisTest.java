package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.compliance.intel.Baselines;
import dev.smartflow.compliance.intel.Deviation;
import dev.smartflow.server.testing.RealServers;
import dev.smartflow.store.redis.RedisSharedState;
import dev.smartflow.testkit.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Layer 3's baselines on the real Redis, under a key prefix of their own: two instances counting into one baseline,
 * the learning period, and deviations read back from what Redis holds.
 */
class ComplianceBaselinesRedisTest {
    private final String run = UUID.randomUUID().toString().replace("-", "");
    private final FakeClock clock = new FakeClock();
    private RedisSharedState one;
    private RedisSharedState two;

    @BeforeEach
    void connect() {
        RealServers.requireRedis(getClass().getSimpleName());
        String prefix = "smartflow:test-baselines-" + run + ":";
        one = RedisSharedState.connect(RealServers.REDIS, prefix);
        two = RedisSharedState.connect(RealServers.REDIS, prefix);
    }

    @AfterEach
    void clean() {
        if (one != null) {
            one.close();
            two.close();
            RealServers.deleteRedisKeys(run);
        }
    }

    @Test
    void twoInstancesBuildOneBaselineThatLearnsAndThenSpotsDeviations() {
        Baselines first = new Baselines(one, clock, 3);
        Baselines second = new Baselines(two, clock, 3);
        for (int day = 0; day < 3; day++) {
            clock.advance(Duration.ofHours(9));
            for (int i = 0; i < 5; i++) {
                (i % 2 == 0 ? first : second).record("org:acme", "alice", i == 0 && day == 0 ? Set.of("email")
                        : Set.of());
            }
            clock.advance(Duration.ofHours(15));
        }
        Baselines.Baseline learning = second.user("org:acme", "alice");
        assertEquals(15, learning.scans());
        assertEquals(3, learning.activeDays());
        assertTrue(learning.progressPercent() < 100, "3 days are not over yet: " + learning.progressPercent());
        assertTrue(first.deviations("org:acme", "alice", Set.of("ssn")).isEmpty(), "nothing while learning");

        clock.advance(Duration.ofHours(9));
        Baselines.Baseline learnt = first.user("org:acme", "alice");
        assertTrue(learnt.learningComplete());
        assertEquals(1.0 / 15, learnt.violationRate(), 1e-9);
        assertEquals(List.of("email"), learnt.topCategories());
        assertEquals(List.of(9), learnt.activeHours());
        assertEquals(15, second.org("org:acme").scans());
        assertEquals(1, second.users("org:acme"));
        assertEquals(Set.of("org:acme"), second.scopes());

        List<Deviation> deviations = second.deviations("org:acme", "alice", Set.of("ssn"));
        assertTrue(deviations.stream().anyMatch(d -> d.type().equals("new_violation_category")),
                deviations.toString());
        assertTrue(deviations.stream().noneMatch(d -> d.type().equals("unusual_violation")),
                "a rate of 1 in 15 is not rare enough to count: " + deviations);
    }

    @Test
    void usersOfOneScopeAreNotAnothers() {
        Baselines baselines = new Baselines(one, clock, 1);
        baselines.record("org:acme", "alice", Set.of("ssn"));
        baselines.record("org:acme:x", "alice", Set.of());
        baselines.record("org:acme", "alice:x", Set.of());
        assertEquals(1, baselines.user("org:acme", "alice").scans());
        assertEquals(1, baselines.user("org:acme", "alice").violations());
        assertEquals(0, baselines.user("org:acme:x", "alice").violations());
        assertEquals(2, baselines.users("org:acme"));
    }
}
