package dev.smartflow.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.routing.TargetHealth.Circuit;
import dev.smartflow.core.testing.FakeTicker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TargetHealthTest {
    private static final String TARGET = "openai/gpt-4o";
    private static final Duration MS = Duration.ofMillis(1);

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    private final InstantSource clock = now::get;
    private final FakeTicker ticker = new FakeTicker();
    private final InMemorySharedState state = new InMemorySharedState(ticker, Runnable::run);
    private final CircuitSettings settings = new CircuitSettings(3, 0.5, 10, Duration.ofSeconds(30),
            Duration.ofSeconds(20));
    private final TargetHealth health = new TargetHealth(state, clock, settings);

    private void advance(Duration duration) {
        now.set(now.get().plus(duration));
        ticker.advance(duration);
    }

    @Test
    void consecutiveFailuresOpenTheCircuitAndASuccessInBetweenStartsTheCountAgain() {
        health.failed(TARGET, "openai", MS, "upstream_error");
        health.failed(TARGET, "openai", MS, "upstream_error");
        health.succeeded(TARGET, "openai", MS);
        health.failed(TARGET, "openai", MS, "upstream_error");
        health.failed(TARGET, "openai", MS, "upstream_error");
        assertEquals(Circuit.CLOSED, health.circuit(TARGET));

        health.failed(TARGET, "openai", MS, "upstream_error");

        assertEquals(Circuit.OPEN, health.circuit(TARGET));
        assertFalse(health.admits(TARGET));
    }

    @Test
    void afterItsOpenTimeOneProbeIsAdmittedAndItsSuccessClosesTheCircuit() {
        for (int i = 0; i < 3; i++) {
            health.failed(TARGET, "openai", MS, "timeout");
        }
        advance(Duration.ofSeconds(19));
        assertEquals(Circuit.OPEN, health.circuit(TARGET));

        advance(Duration.ofSeconds(2));

        assertEquals(Circuit.HALF_OPEN, health.circuit(TARGET));
        assertTrue(health.admits(TARGET), "the probe");
        assertFalse(health.admits(TARGET), "only one probe at a time");
        health.succeeded(TARGET, "openai", MS);
        assertEquals(Circuit.CLOSED, health.circuit(TARGET));
        assertTrue(health.admits(TARGET));
    }

    @Test
    void aFailedProbeOpensTheCircuitAgain() {
        for (int i = 0; i < 3; i++) {
            health.failed(TARGET, "openai", MS, "timeout");
        }
        advance(Duration.ofSeconds(21));
        assertTrue(health.admits(TARGET));

        health.failed(TARGET, "openai", MS, "timeout");

        assertEquals(Circuit.OPEN, health.circuit(TARGET));
        advance(Duration.ofSeconds(19));
        assertEquals(Circuit.OPEN, health.circuit(TARGET));
    }

    @Test
    void anErrorRateOverTheWindowOpensTheCircuitWithoutAFailureStreak() {
        // alternate: never 3 failures in a row, but half of at least 10 calls failed
        for (int i = 0; i < 5; i++) {
            health.succeeded(TARGET, "openai", MS);
            health.failed(TARGET, "openai", MS, "upstream_error");
        }

        assertEquals(Circuit.OPEN, health.circuit(TARGET));
    }

    @Test
    void anotherInstanceOnTheSameStateSeesTheOpenCircuitWithinASecond() {
        TargetHealth other = new TargetHealth(state, clock, settings);
        assertEquals(Circuit.CLOSED, other.circuit(TARGET));

        for (int i = 0; i < 3; i++) {
            health.failed(TARGET, "openai", MS, "upstream_error");
        }
        advance(TargetHealth.REFRESH);

        assertEquals(Circuit.OPEN, other.circuit(TARGET));
        assertEquals(TARGET, other.lastFailure().orElseThrow().target());
    }

    @Test
    void latencyP95FollowsTheSamplesAndIsSharedWithANewInstance() {
        assertTrue(health.p95Micros(TARGET).isEmpty());
        for (int i = 0; i < 200; i++) {
            health.succeeded(TARGET, "openai", Duration.ofMillis(i % 2 == 0 ? 10 : 30));
        }
        advance(TargetHealth.REFRESH); // published at most once a second
        health.succeeded(TARGET, "openai", Duration.ofMillis(10));

        long p95 = health.p95Micros(TARGET).orElseThrow();

        assertTrue(p95 > 30_000 && p95 < 50_000, "mean 20 ms, sd 10 ms: p95 about 36 ms, was " + p95);
        assertEquals(p95, new TargetHealth(state, clock, settings).p95Micros(TARGET).orElseThrow(), 2_000);
    }

    @Test
    void providerHealthCountsRequestsAndErrorsAndNamesAnOpenProviderUnhealthy() {
        health.succeeded("groq/llama", "groq", Duration.ofMillis(40));
        health.failed("groq/llama", "groq", Duration.ofMillis(40), "upstream_error");
        for (int i = 0; i < 3; i++) {
            health.failed(TARGET, "openai", MS, "upstream_error");
        }

        List<TargetHealth.ProviderHealth> all = health.providers();

        assertEquals(List.of("groq", "openai"), all.stream().map(TargetHealth.ProviderHealth::provider).toList());
        TargetHealth.ProviderHealth groq = all.getFirst();
        assertEquals(2, groq.requestsTotal());
        assertEquals(0.5, groq.errorRate());
        assertEquals("degraded", groq.status());
        assertEquals("unhealthy", all.get(1).status());
        assertEquals(0.0, all.get(1).successRate());
    }

    @Test
    void providersNamedAreReportedTooFromWhatOtherInstancesRecordedOrAsHealthyWithNoCalls() {
        // given: another instance on the same shared state recorded groq's calls; nothing called mistral
        TargetHealth other = new TargetHealth(state, clock, settings);
        other.failed("groq/llama", "groq", MS, "upstream_error");
        other.succeeded("groq/llama", "groq", MS);
        other.providers();

        // when
        List<TargetHealth.ProviderHealth> all = health.providers(List.of("mistral", "groq"));

        // then
        assertEquals(List.of("groq", "mistral"), all.stream().map(TargetHealth.ProviderHealth::provider).toList());
        assertEquals(2, all.getFirst().requestsTotal());
        assertEquals(0.5, all.getFirst().errorRate());
        TargetHealth.ProviderHealth mistral = all.get(1);
        assertEquals("healthy", mistral.status());
        assertEquals(0, mistral.requestsTotal());
        assertEquals(1.0, mistral.successRate());
        assertEquals(now.get(), mistral.lastUpdated());
    }

    @Test
    void callsInFlightAreCountedPerTarget() {
        health.started(TARGET);
        health.started(TARGET);
        health.finished(TARGET);

        assertEquals(1, health.inFlight(TARGET));
        assertEquals(0, health.inFlight("other/m"));
    }
}
